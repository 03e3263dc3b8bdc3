"""Picks among offered options: "второй вариант" (or "втарой"), "the last one", "the 3pm one", "давайте на 11", yes / no."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, time, tzinfo

from agents.understanding.entities._normalize import Text
from agents.understanding.entities.dates import find_dates
from agents.understanding.model import Choice, ChoiceKind, DateMention, DialogueContext

_ORDINALS = (
    (r"п[еи]рв(?:ый|ая|ое|ую|ого|ой|ым|ы)|first|frist|1st", 0),
    (r"вт[оа]р(?:ой|ая|ое|ую|ого|ои)|second|secnd|2nd", 1),
    (r"тр[еи]т(?:ий|ья|ье|ью|ьего|ьей|ии)|third|thrid|3rd", 2),
    (r"ч[еи]тв[еёи]рт(?:ый|ая|ое|ую|ого|ой)|fourth|4th", 3),
    (r"пят(?:ый|ая|ое|ую|ого|ой)|fifth|5th", 4),
    (r"п[оа]сле?дн(?:ий|яя|ее|юю|его|ей|ии)|крайн(?:ий|яя|ее|юю|его|ей)|last|latter", -1),
)  # fmt: skip
_ORDINAL = re.compile(
    r"(?<!\w)(?:the\s+)?(?P<word>"
    + "|".join(f"(?P<o{i}>{p})" for i, (p, _) in enumerate(_ORDINALS))
    + r")(?!\w)"
    r"(?!\s+(?:раз|time(?!\s+slot)|of\s+\w+|half|числ|марта|апреля|мая))"
)
_MARKED = re.compile(
    r"(?<!\w)(?:(?:вариант|variant|option|number|номер|slot|слот|choice)\s*[#№]?\s*(?P<a>\d)|[#№]\s*(?P<b>\d)"
    r"|(?P<c>\d)\s*-?\s*(?:й|ой|ый|ий|я|е|st|nd|rd|th)\s+(?:вариант|option|one|слот|slot))(?!\d)"
)
_MARKER_AFTER = re.compile(r"\s+(?:вариант\w*|variant|option|one|слот\w*|slot|подходит|please|пожалуйста)")
_BARE = re.compile(
    r"[^\w]*(?:(?:давайте|давай|ну|let'?s\s+do|i'?ll\s+take|беру|хочу)\s+)?(?P<n>\d)[^\w]*(?:please|пожалуйста)?[^\w]*"
)
_CLOCK = re.compile(
    r"(?<![\d.,:/+])(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?!\d)\s*(?P<s>a\.?m\.?|p\.?m\.?|утра|дня|вечера)?(?!\w)"
)
_SKIP = re.compile(
    r"не\s+знаю|не\s+уверен\w*|no\s+idea|not\s+sure|don'?t\s+know|dunno|без\s+разницы|не\s+важно"
)
_NO_START = re.compile(r"^\W*(?:нет|неа|не-а|no|nope|nah|не(?=\W*$|\s*,))(?!\w)|^\W*👎")
_NO_PHRASE = re.compile(
    r"(?<!\w)(?:не\s+(?:подходит|подойдет|получится|смогу|могу|устраивает|надо|нужно|удобно|актуально|пойдет"
    r"|хочу)|doesn'?t\s+(?:work|suit)|does\s+not\s+work|won'?t\s+work|not\s+(?:good|ok|okay|convenient|for\s+me)"
    r"|can'?t\s+make\s+it|никак|неудобно)(?!\w)|👎"
)
_NOT_NO = re.compile(r"(?<!\w)(?:no\s+problem|no\s+worries|нет\s+проблем|no\s+doubt)(?!\w)")
_YES_START = re.compile(
    r"^\W*(?:да|ага|угу|ок|окей|оке|окей|okay|ok|k|yes|yep|yeah|yup|ya|sure|конечно|подходит|годится|хорошо"
    r"|отлично|супер|идет|договорились|согласна|согласен|верно|точно|absolutely|of\s+course|definitely|perfect"
    r"|great|sounds\s+good|that\s+works|works\s+for\s+me|correct|right|fine|alright|no\s+problem|no\s+worries"
    r"|нет\s+проблем|why\s+not|почему\s+бы\s+и\s+нет|go\s+ahead|let'?s\s+do\s+it)(?!\w)|^\W*(?:👍|👌|✅|🙏|👏)"
)
_YES_SHORT = re.compile(
    r"(?<!\w)(?:давайте|давай|подходит|годится|устраивает|sounds\s+good|works\s+for\s+me|that\s+works|perfect"
    r"|отлично|идеально|то\s+что\s+надо|👍|👌)(?!\w)"
)


def _offered(context: DialogueContext, zone: tzinfo) -> list[time]:
    return [
        moment.astimezone(zone).time().replace(second=0, microsecond=0) for moment in context.offered_times
    ]


def _readings(hour: int, minute: int, suffix: str | None) -> list[time]:
    if hour > 23 or minute > 59:
        return []
    if suffix and suffix[0] in "pвд":
        return [time(hour + 12, minute)] if hour < 12 else [time(hour, minute)]
    if suffix:
        return [time(hour % 12 if suffix[0] == "a" else hour, minute)]
    return [time(hour, minute)] + ([time(hour + 12, minute)] if 1 <= hour <= 11 else [])


def _time_choice(texts: Iterable[str], offered: Sequence[time]) -> Choice | None:
    for text in texts:
        for m in _CLOCK.finditer(text):
            for reading in _readings(int(m["h"]), int(m["m"] or 0), m["s"]):
                if reading in offered:
                    return Choice(ChoiceKind.TIME, at=reading)
    return None


def _ordinal(low: str, context: DialogueContext, masked: str) -> Choice | None:
    marked = _MARKED.search(masked)
    if marked:
        number = int(marked["a"] or marked["b"] or marked["c"])
        if 1 <= number <= 9:
            return Choice(ChoiceKind.ORDINAL, index=number - 1)
    asked = context.expecting == "choice" or bool(context.offered_times)
    for m in _ORDINAL.finditer(masked):
        short = len(re.findall(r"\w+", low)) <= 4
        if asked or short or _MARKER_AFTER.match(masked, m.end()) or m.group(0).startswith("the "):
            index = next(value for i, (_, value) in enumerate(_ORDINALS) if m[f"o{i}"])
            return Choice(ChoiceKind.ORDINAL, index=index)
    return None


def _yes_no(low: str, asked: bool) -> Choice | None:
    """Yes or no: a reply that starts with one, or a short one (any length after a question)."""
    if _SKIP.search(low):
        return None
    if _NOT_NO.search(low):
        return Choice(ChoiceKind.YES)
    words = len(re.findall(r"\w+", low))
    if _NO_START.search(low) or ((asked or words <= 5) and _NO_PHRASE.search(low)):
        return Choice(ChoiceKind.NO)
    if _YES_START.search(low) or ((asked or words <= 4) and _YES_SHORT.search(low)):
        return Choice(ChoiceKind.YES)
    return None


def find_choice(
    text: Text,
    *,
    context: DialogueContext,
    zone: tzinfo,
    dates: Sequence[DateMention] = (),
    masked: Text | None = None,
) -> Choice | None:
    """The customer's pick: an ordinal, one of the offered times, or yes / no.

    `masked` is `text` with phones, money, quantities and dates blanked out (bare numbers left there
    may be ordinals); `dates` are the date mentions found, whose words may name an offered time.
    """
    rest = (masked or text).low
    if context.expecting == "choice":
        bare = _BARE.fullmatch(rest)
        if bare and 1 <= int(bare["n"]) <= 5:
            return Choice(ChoiceKind.ORDINAL, index=int(bare["n"]) - 1)
    offered = _offered(context, zone)
    if offered:
        found = _time_choice([Text.of(mention.text).low for mention in dates] + [rest], offered)
        if found:
            return found
    asked = context.expecting is not None or bool(context.offered_times)
    return _ordinal(text.low, context, rest) or _yes_no(text.low, asked)


def parse_choice(text: str, *, context: DialogueContext, zone: tzinfo | None = None) -> Choice | None:
    """What `text` picks among the options just offered (see `DialogueContext.offered_times`), if anything.

    Times are compared in `zone` (default: the zone of `context.now`).
    """
    local = context.now.astimezone(zone) if zone is not None else context.now
    source = Text.of(text)
    dates = find_dates(source, local)
    masked = source.masked((item.start, item.end) for item in dates)
    return find_choice(
        source, context=context, zone=local.tzinfo or UTC, dates=[item.value for item in dates], masked=masked
    )
