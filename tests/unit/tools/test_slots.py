"""Free slots from hours, holidays, staff, resources, buffers and notice (tiny salon, Moscow time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tools.calendar import Busy
from tools.playbook import Playbook
from tools.slots import SlotQuery, free_slots

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # Monday 12:00 in Moscow


def _local(slots: list, *, staff: str | None = None) -> list[str]:  # type: ignore[type-arg]
    return [s.start.astimezone(MSK).strftime("%a %H:%M") for s in slots if staff in (None, s.staff_id)]


def _day(day: int, hour: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, tzinfo=MSK)


def test_slots_start_after_the_minimum_notice_and_step_by_fifteen_minutes(minimal_playbook: Playbook) -> None:
    slots = free_slots(minimal_playbook, SlotQuery("haircut", NOW, _day(2)), [], NOW)
    assert _local(slots, staff="anna")[:3] == ["Mon 13:00", "Mon 13:15", "Mon 13:30"]
    assert _local(slots, staff="anna")[-1] == "Mon 18:00"
    assert all(s.start.tzinfo == UTC for s in slots)


def test_a_split_day_has_no_slot_across_the_break(minimal_playbook: Playbook) -> None:
    slots = free_slots(minimal_playbook, SlotQuery("haircut", _day(3), _day(4), staff_id="anna"), [], NOW)
    times = _local(slots)
    assert "Wed 13:00" in times and "Wed 13:15" not in times and "Wed 14:45" not in times
    assert "Wed 15:00" in times


def test_staff_hours_and_business_hours_both_apply(minimal_playbook: Playbook) -> None:
    saturday = free_slots(minimal_playbook, SlotQuery("haircut", _day(6), _day(7)), [], NOW)
    assert {s.staff_id for s in saturday} == {"boris"}
    assert _local(saturday)[0] == "Sat 11:00" and _local(saturday)[-1] == "Sat 15:00"
    assert free_slots(minimal_playbook, SlotQuery("haircut", _day(7), _day(8)), [], NOW) == []


def test_holidays_are_closed(minimal_playbook: Playbook) -> None:
    eve = datetime(2026, 12, 31, tzinfo=MSK)
    now = datetime(2026, 12, 20, tzinfo=UTC)
    assert free_slots(minimal_playbook, SlotQuery("haircut", eve, eve + timedelta(days=1)), [], now) == []


def test_busy_staff_and_buffers_remove_slots(minimal_playbook: Playbook) -> None:
    held = [Busy("staff:anna", _day(2, 10), _day(2, 11) + timedelta(minutes=15))]
    slots = free_slots(minimal_playbook, SlotQuery("haircut", _day(2), _day(3), staff_id="anna"), held, NOW)
    times = _local(slots)
    assert "Tue 10:00" not in times and "Tue 11:00" not in times
    assert times[0] == "Tue 11:15"


def test_a_taken_resource_blocks_every_staff_member(minimal_playbook: Playbook) -> None:
    held = [Busy("resource:chair-1", _day(2, 10), _day(2, 12))]
    slots = free_slots(minimal_playbook, SlotQuery("haircut", _day(2), _day(3)), held, NOW)
    assert min(s.start for s in slots) == _day(2, 12)


def test_only_staff_who_perform_the_service_are_offered(minimal_playbook: Playbook) -> None:
    slots = free_slots(minimal_playbook, SlotQuery("coloring", _day(2), _day(3)), [], NOW)
    assert {s.staff_id for s in slots} == {"anna"}
    assert _local(slots)[-1] == "Tue 17:00"


def test_the_horizon_and_limit_cap_the_search(minimal_playbook: Playbook) -> None:
    far = free_slots(
        minimal_playbook, SlotQuery("haircut", NOW + timedelta(days=61), NOW + timedelta(days=70)), [], NOW
    )
    assert far == []
    assert len(free_slots(minimal_playbook, SlotQuery("haircut", NOW, _day(9), limit=3), [], NOW)) == 3


def test_slots_follow_local_time_across_a_daylight_saving_change(minimal_playbook: Playbook) -> None:
    berlin = minimal_playbook.model_copy(
        update={"business": minimal_playbook.business.model_copy(update={"timezone": "Europe/Berlin"})}
    )
    zone = ZoneInfo("Europe/Berlin")
    now = datetime(2027, 3, 20, tzinfo=UTC)
    before = free_slots(
        berlin,
        SlotQuery(
            "haircut",
            datetime(2027, 3, 26, tzinfo=zone),
            datetime(2027, 3, 27, tzinfo=zone),
            staff_id="boris",
            limit=1,
        ),
        [],
        now,
    )
    after = free_slots(
        berlin,
        SlotQuery(
            "haircut",
            datetime(2027, 3, 29, tzinfo=zone),
            datetime(2027, 3, 30, tzinfo=zone),
            staff_id="boris",
            limit=1,
        ),
        [],
        now,
    )
    assert before[0].start == datetime(2027, 3, 26, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert after[0].start == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 CEST
