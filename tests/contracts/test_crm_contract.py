"""The CRM contract, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import DATABASES
from tools.crm import ContactChanges, LeadChanges, LeadSource, LeadStage, NewLead
from tools.errors import IdempotencyMismatch, NotFound
from tools.ids import ContactId
from tools.sql import BusinessStores

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def test_a_channel_identity_maps_to_one_contact_however_often_it_writes(stores: BusinessStores) -> None:
    first = await stores.crm.contact_for_identity("telegram", "1001", key="m1", display_name="Olga")
    again = await stores.crm.contact_for_identity("telegram", "1001", key="m2")
    other = await stores.crm.contact_for_identity("whatsapp", "1001", key="m3")
    assert again.id == first.id
    assert other.id != first.id
    assert first.name == "Olga"
    assert [i.channel for i in await stores.crm.identities(first.id)] == ["telegram"]


async def test_the_same_key_returns_the_first_result_and_writes_once(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("webchat", "s1", key="c")
    first = await stores.crm.add_note(contact.id, "Prefers mornings", key="note-1", author="staff:anna")
    repeat = await stores.crm.add_note(contact.id, "Prefers mornings", key="note-1", author="staff:anna")
    assert repeat == first
    assert [n.text for n in await stores.crm.notes(contact.id)] == ["Prefers mornings"]


async def test_a_key_reused_for_a_different_request_is_refused(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("webchat", "s1", key="c")
    await stores.crm.add_note(contact.id, "one", key="note-1", author="staff:anna")
    with pytest.raises(IdempotencyMismatch, match="note-1"):
        await stores.crm.add_note(contact.id, "two", key="note-1", author="staff:anna")


async def test_contacts_with_the_same_verified_phone_merge_into_the_older(stores: BusinessStores) -> None:
    whatsapp = await stores.crm.contact_for_identity("whatsapp", "79161234567", key="w")
    await stores.crm.update_contact(
        whatsapp.id, ContactChanges(phone="+79161234567", phone_verified=True, name="Ivan"), key="w-phone"
    )
    telegram = await stores.crm.contact_for_identity("telegram", "555", key="t")
    await stores.crm.create_lead(NewLead(telegram.id, LeadSource("telegram")), key="lead-t")
    survivor = await stores.crm.update_contact(
        telegram.id, ContactChanges(phone="+79161234567", phone_verified=True), key="t-phone"
    )
    assert survivor.id == whatsapp.id
    assert survivor.name == "Ivan"
    assert (await stores.crm.get_contact(telegram.id)).id == whatsapp.id
    assert sorted(i.channel for i in await stores.crm.identities(whatsapp.id)) == ["telegram", "whatsapp"]
    assert len(await stores.crm.list_leads(contact_id=whatsapp.id)) == 1
    kinds = [a.kind for a in await stores.crm.timeline(whatsapp.id)]
    assert "contact.merged" in kinds


async def test_an_unverified_phone_never_merges_contacts(stores: BusinessStores) -> None:
    owner = await stores.crm.contact_for_identity("whatsapp", "79161234567", key="w")
    await stores.crm.update_contact(
        owner.id, ContactChanges(phone="+79161234567", phone_verified=True), key="wp"
    )
    stranger = await stores.crm.contact_for_identity("webchat", "anon", key="a")
    kept = await stores.crm.update_contact(stranger.id, ContactChanges(phone="+79161234567"), key="ap")
    assert kept.id == stranger.id
    assert (await stores.crm.get_contact(owner.id)).merged_into is None


async def test_verified_email_merges_case_insensitively(stores: BusinessStores) -> None:
    first = await stores.crm.contact_for_identity("webchat", "a", key="a")
    await stores.crm.update_contact(
        first.id, ContactChanges(email="Olga@Example.com", email_verified=True), key="ae"
    )
    second = await stores.crm.contact_for_identity("instagram", "b", key="b")
    survivor = await stores.crm.update_contact(
        second.id, ContactChanges(email="olga@example.com", email_verified=True), key="be"
    )
    assert survivor.id == first.id


async def test_leads_keep_source_answers_owner_and_move_through_stages(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("instagram", "ig-1", key="c")
    lead = await stores.crm.create_lead(
        NewLead(
            contact.id,
            LeadSource("instagram", "IG comment", "post-17"),
            service_id="coloring",
            answers={"need": "balayage"},
            tags=["nurture"],
            owner_id="anna",
        ),
        key="lead-1",
    )
    assert lead.source == LeadSource("instagram", "IG comment", "post-17")
    updated = await stores.crm.update_lead(
        lead.id,
        LeadChanges(stage=LeadStage.QUALIFIED, tags=["hot"], answers={"budget": "9000"}),
        key="lead-1-q",
    )
    assert updated.stage is LeadStage.QUALIFIED
    assert updated.tags == ("hot",)
    assert updated.answers == {"need": "balayage", "budget": "9000"}
    assert await stores.crm.open_lead_counts() == {"anna": 1}
    await stores.crm.update_lead(lead.id, LeadChanges(stage=LeadStage.WON), key="lead-1-won")
    assert await stores.crm.open_lead_counts() == {}
    assert [x.id for x in await stores.crm.list_leads(owner_id="anna")] == [lead.id]


async def test_consent_and_opt_out_are_recorded_with_the_words_shown(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "9", key="c")
    await stores.crm.record_consent(
        contact.id,
        purpose="contact",
        granted=True,
        text="Можно сохранить ваш телефон?",
        channel="telegram",
        key="k1",
    )
    opted = await stores.crm.set_opted_out(contact.id, True, key="k2")
    assert opted.opted_out
    [consent] = await stores.crm.consents(contact.id)
    assert consent.granted and consent.text == "Можно сохранить ваш телефон?"
    kinds = [a.kind for a in await stores.crm.timeline(contact.id)]
    assert kinds == ["contact.created", "consent.recorded", "contact.opted_out"]


async def test_tags_accumulate(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "9", key="c")
    await stores.crm.set_tags(contact.id, ["vip"], key="t1")
    tagged = await stores.crm.set_tags(contact.id, ["wedding"], key="t2")
    assert tagged.tags == ("vip", "wedding")


async def test_unknown_records_raise_not_found(stores: BusinessStores) -> None:
    with pytest.raises(NotFound):
        await stores.crm.get_contact(ContactId("ct_missing"))


async def test_writes_are_audited_with_actor(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "9", key="c", actor="agent:sales")
    entries = await stores.audit.entries(entity="contact", entity_id=contact.id)
    assert [(e.action, e.actor, e.idempotency_key) for e in entries] == [
        ("contact.created", "agent:sales", "c")
    ]


async def test_a_contacts_time_zone_is_kept(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("webchat", "s_1", key="w1")
    assert contact.timezone is None
    changed = await stores.crm.update_contact(
        contact.id, ContactChanges(timezone="Asia/Novosibirsk"), key="tz"
    )
    assert changed.timezone == "Asia/Novosibirsk"
    assert (await stores.crm.get_contact(contact.id)).timezone == "Asia/Novosibirsk"
