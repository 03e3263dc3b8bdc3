"""The precompiled patterns behind `tools.privacy.mask_secrets`, in English and Russian.

Speed comes from scanning the whole message only three times (`Scan.of`: `ANCHOR`, `DIGIT_RUN`,
`TOKEN_CANDIDATE`); the detailed patterns then run only in short windows around what those
scans found (`in_windows`). Labelled patterns are written in lower case and run on the lowercased message
(``re.IGNORECASE`` over Cyrillic is many times slower); they have a ``value`` group (masked)
after the label (kept, so the sentence still reads).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_DASH = "\\-\u2010\u2011\u2012\u2013\u2014"
_SAY = rf"\s*(?:[:={_DASH}]\s*)?(?:(?:is|это)\b\s*:?\s*)?"
"""What joins a label to its value: ``: `` ``=`` `` - `` ``is`` ``это`` or a plain space."""

_CURRENCY = r"\s*(?:руб|р\.|₽|\$|€|£|usd|eur|rub|gbp|dollar|euro|евро|доллар|тыс|млн|k\b)"

ANCHOR = re.compile(
    "passcode|passport|passw|парол|паспорт|security|verification|безопасност|оборот|обратн|сзади"
    "|digits|цифры|cvv|cvc|cvn|cid|csc|exp|valid|срок|действ|годн|pin|пин|code|код|otp"
    "|token|токен|key|ключ|secret|bearer|pwd|сери|iban"
)
"""Words near which a labelled secret may stand (searched in the lowercased message)."""

DIGIT_RUN = re.compile(
    rf"[0-9](?=[0-9 \u00a0{_DASH}]{{9}})(?<![\w.,][0-9])[0-9]*+"
    rf"(?:(?:[ \u00a0]{{1,2}}|[ \u00a0]?[{_DASH}][ \u00a0]?)[0-9]++)*+"
)
"""A run of digit groups, ten characters or longer: maybe a card or an account number, maybe a phone."""

TOKEN_CANDIDATE = re.compile(r"[A-Za-z0-9_\-+]{15,}")
"""A long unbroken run of token characters: maybe a key, maybe an IBAN written without spaces."""

CARD_TAIL_EXPIRY = re.compile(
    rf"[\s,;()]*(?:(?:exp\w*\.?(?:\s+date)?|valid\s+(?:thru|through|until)|срок(?:\s+действия)?(?:\s+до)?|годн\w*\s+до"
    rf"|действ\w*\s+до|до)\s*[:{_DASH}]?\s*)?"
    r"(?P<value>(?:0[1-9]|1[0-2])\s?[/.\\]\s?(?:20)?\d\d)(?![\d/.:])"
)
"""An expiry date (``12/27``, ``срок 12/27``, ``exp 12/27``) right after a card number."""

CARD_TAIL_CVV = re.compile(rf"[\s,;()]*(?P<value>\d{{3,4}})(?![\d/.:]|\w)(?!{_CURRENCY})")
"""Three or four bare digits right after a card number or its expiry date: the CVV (not an amount)."""

EXPIRY = re.compile(
    rf"\b(?:exp(?:iry|iration)?(?:\s+date)?|expires|valid\s+(?:thru|through|until)"
    rf"|срок\s+действия(?:\s+карты)?|действительна\s+до|действует\s+до|годн\w*\s+до)\s*[:{_DASH}]?\s*"
    r"(?P<value>(?:0[1-9]|1[0-2])\s?[/.\\]\s?(?:20)?\d\d)(?![\d/.:])"
)
"""An expiry date after a label that only cards use, wherever it stands."""

CVV = re.compile(
    r"\b(?:cvv2?|cvc2?|cvn|csc|cid|card\s+verification\s+(?:code|value)|security\s+code"
    r"|(?:the\s+)?(?:three|3)\s+digits(?:\s+on\s+the\s+back)?"
    r"|код\w*\s+(?:на\s+обороте|на\s+обратной\s+стороне|с\s+обратной\s+стороны|сзади|безопасности)"
    r"|(?:три|3)\s+цифры(?:\s+(?:на\s+обороте|сзади|на\s+обратной\s+стороне|с\s+обратной\s+стороны))?)"
    rf"(?:\s+(?:code|код))?(?:\s+карты|\s+of\s+the\s+card)?{_SAY}"
    r"(?P<value>\d{3,4})(?!\d)"
)
"""A labelled CVV/CVC: ``cvv 123``, ``CVC: 123``, ``код на обороте 123``, ``три цифры 123``."""

PIN = re.compile(
    rf"(?<![\w{_DASH}])(?:pin(?:[\s{_DASH}]?code)?|пин(?:[\s{_DASH}]?код\w*)?|pin[{_DASH}]код\w*)"
    rf"(?:\s+(?:от|for|to)\s+(?:карты|card|the\s+card))?{_SAY}(?P<value>\d{{4,8}})(?!\d)"
)
"""A labelled PIN: ``my pin is 1234``, ``пин-код 1234``."""

ONE_TIME_CODE = re.compile(
    r"\b(?:(?:sms|смс|text)[\s\-]?(?:code|код\w*)"
    r"|(?:code|код\w*)\s+(?:из|from|in|в)\s+(?:the\s+)?(?:sms|смс|сообщени\w+|message|text|push\w*)(?:\s+message)?"
    r"|(?:verification|confirmation|one[\s\-]time|login|auth(?:entication)?|2fa|otp|access)\s+code|otp"
    r"|одноразов\w+\s+код\w*|код\w*\s+подтверждени\w+|проверочн\w+\s+код\w*"
    r"|код\w*\s+(?:для\s+)?(?:входа|авторизации|верификации|доступа))"
    rf"{_SAY}(?P<value>\d{{3}}[ \-]?\d{{3}}|\d{{4,8}})(?!\d)"
)
"""A labelled one-time code: ``код из смс 483920``, ``SMS code 483920``."""

PASSWORD = re.compile(
    r"\b(?:password|passcode|passwd|pwd|пароль|пароля|паролем)"
    r"(?:\s+(?:от|для|for|to|к)\s+(?:[\w\-]+\s+){0,2}?[\w\-]+(?=\s*[:=\-\u2013\u2014]|\s+(?:is|это)\b))?"
    rf"(?P<say>\s*[:={_DASH}]\s*(?:(?:is|это|будет)\b\s*)?|\s+(?:is|это|будет)\b\s*:?\s*|\s+)(?P<quote>[«\"'“])?"
    r"(?P<value>[^\s«»\"'“”]+)"
)
"""A labelled password: ``пароль: qwerty123``, ``password is hunter2``."""

PASSWORD_NOT_VALUES = frozenset({
    "not", "wrong", "incorrect", "invalid", "expired", "correct", "right", "lost", "forgotten", "missing",
    "required", "reset", "changed", "too", "the", "a", "an", "my", "your", "same", "different", "weak",
    "strong", "ok", "fine", "and", "or", "please", "help", "does", "doesn't", "isn't", "won't", "will",
    "was", "has", "have", "is", "for", "to", "of", "on", "in", "at", "with", "without", "don't", "can't",
    "cannot", "no", "yes", "не", "неверный", "неправильный", "неправильно", "верный", "правильный", "забыл",
    "забыла", "забыли", "сбросить", "сброшен", "потерян", "устарел", "истёк", "истек", "и", "или", "от",
    "для", "к", "мой", "моя", "мне", "на", "по", "пожалуйста", "помогите", "нужен", "нужно", "подходит",
    "сменить", "поменять", "восстановить", "был", "была", "сломан", "также", "тоже", "секрет", "secret",
})  # fmt: skip
"""Words that follow "password" in sentences about it, not as its value."""

KEY = re.compile(
    r"\b(?:api[\s_\-]?key|api[\s\-]ключ\w*|secret(?:[\s_\-]key)?|access[\s_\-]?(?:token|key)"
    r"|client[\s_\-]secret|token|токен\w*|ключ\w*(?:\s+api)?|секретн\w+\s+ключ\w*)"
    rf"{_SAY}(?P<value>[a-z0-9_\-+/=.:]{{8,}})"
)
"""A labelled key or token: ``api key: abc123…``, ``токен: 5f2…``."""

BEARER = re.compile(r"\bbearer\s+(?P<value>[a-z0-9._~+/\-]{8,}=*)")
"""An HTTP bearer token pasted with its scheme."""

PASSPORT = re.compile(
    rf"\b(?:(?:загран)?паспорт\w*(?:\s+(?:рф|данные|гражданина\s+рф))?(?:{_SAY}|\s*[№#]\s*)"
    r"(?:сери[яи]\s*)?|сери[яи]\s+(?=\d{2}\s?\d{2}\s*,?\s*(?:№|номер)))"
    r"(?P<value>\d{2}\s?\d{2}\s*,?\s*(?:(?:№|номер|н\.|no\.?)\s*)?\d{6}|\d{2}\s?\d{7})(?!\d)"
    rf"|\bpassport(?:\s+(?:number|no\.?|num|id|#))?(?:{_SAY}|\s*#\s*)"
    r"(?P<value_en>(?:[a-z]{1,2}\s?)?\d{6,9})(?!\d)"
)
"""A labelled passport series and number: ``паспорт 45 12 345678``, ``passport number 123456789``."""

KNOWN_KEYS = re.compile(
    r"(?<![\w\-])(?:sk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{16,}"
    r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{35}"
    r"|\d{8,10}:AA[A-Za-z0-9_\-]{30,}"
    r"|eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})"
)
"""Keys with a vendor's recognisable shape: OpenAI, Stripe, GitHub, Slack, AWS, Google, Telegram, JWT."""

LONG_TOKEN = re.compile(r"(?<![\w/.@\-+])[A-Za-z0-9_\-+]{32,}={0,2}(?![\w@/]|\.\w)")
"""A long unbroken run of token characters (checked further: hex, or mixed case with digits)."""

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
"""A UUID: an identifier, not a secret."""

IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ \u00a0]?[A-Z0-9]){11,31}")
"""Something shaped like an IBAN (validated by its mod-97 check digits)."""

ACCOUNT_LABEL = re.compile(
    r"\b(?:р/с|р/сч|р\.\s?с\.|расч[её]тн\w*\s+сч[её]т\w*|лицев\w*\s+сч[её]т\w*|номер\s+сч[её]та"
    r"|сч[её]т\w*(?:\s+получателя)?|account(?:\s+(?:number|no\.?|#))?|acc\.?(?:\s*(?:no\.?|#))?|a/c)"
    rf"{_SAY}(?:№\s*)?$"
)
"""A label for a bank account, matched against the words just before a 20-digit number."""

ACCOUNT_NUMBER = re.compile(r"(?<![\w.,])[0-9](?:[ \u00a0]?[0-9]){19}(?!\w|[.,]\d)")
"""Twenty digits, as Russian bank account numbers are written (``40817 810 0 9999 1000431``)."""

PERSONAL_ACCOUNT_PREFIXES = ("40817", "40820", "423")
"""Russian account numbers that belong to people; masked even without a label."""

PUBLIC_ACCOUNT_PREFIXES = ("30101",)
"""Correspondent accounts of banks: public, so left as they are."""

NOT_A_CARD_LABEL = re.compile(
    r"\b(?:imei|огрн\w*|инн|кпп|бик|окпо|октмо|окато|снилс|трек\w*|tracking|order|заказ\w*|invoice"
    r"|бюджет\w*|budget|цен\w*|price|стоимост\w*|сумм\w*|total|итого)"
    r"(?:\s+(?:номер|number|no\.?|код))?\s*[:#№-]?\s*$"
)
"""Labels of numbers that may pass a Luhn check but are not cards: IMEI, registration numbers, ids, amounts."""

CURRENCY_AFTER = re.compile(_CURRENCY)
"""A currency or "thousand" right after a number: the number is an amount, not a card."""

NON_SPACE = re.compile(r"\S*")
"""The rest of a word, up to the next space."""

ALREADY_MASKED = re.compile(r"\[(?:hidden|card •••• \d{4}|account •••• \d{4}|iban •••• \w{4})\]")
"""What `mask_secrets` writes (lowercased), so that masking twice changes nothing."""


Window = tuple[int, int]
"""A ``[start, end)`` stretch of the message where a detailed pattern should look."""

_ANCHOR_DETECTORS: dict[str, str] = {
    **dict.fromkeys(("exp", "valid", "срок", "действ", "годн"), "expiry"),
    **dict.fromkeys(
        ("cvv", "cvc", "cvn", "cid", "csc", "security", "verification", "digits", "цифры", "оборот")
        + ("обратн", "сзади", "безопасност"),
        "cvv",
    ),
    **dict.fromkeys(("pin", "пин"), "pin"),
    **dict.fromkeys(("code", "код", "otp"), "code"),
    **dict.fromkeys(("passw", "passcode", "pwd", "парол"), "password"),
    **dict.fromkeys(("token", "токен", "key", "ключ", "secret", "bearer"), "key"),
    **dict.fromkeys(("паспорт", "passport", "сери"), "passport"),
    "iban": "iban",
}
"""Which detector each `ANCHOR` word wakes up."""


@dataclass(frozen=True)
class Scan:
    """What the three whole-message scans found: where each detector should look."""

    low: str
    """The message lowercased, index-aligned with the original."""
    runs: list[re.Match[str]]
    """`DIGIT_RUN` matches in the original message."""
    near: dict[str, list[Window]]
    """Per detector ("cvv", "pin", "code", "password", "key", "passport", "expiry", "iban"): where to look."""
    tokens: list[Window]
    """Around each `TOKEN_CANDIDATE`, up to the end of its word."""

    @classmethod
    def of(cls, text: str) -> Scan:
        """Scan `text` once for anchor words, once for digit runs and once for long tokens."""
        low, size = lowercase(text), len(text)
        near: dict[str, list[Window]] = {name: [] for name in set(_ANCHOR_DETECTORS.values())}
        for m in ANCHOR.finditer(low):
            near[_ANCHOR_DETECTORS[m.group(0)]].append((m.start() - 24, m.end() + 100))
        runs = list(DIGIT_RUN.finditer(text))
        for m in runs:
            before = text[max(0, m.start() - 16) : m.start()]
            if before.lower() != before:  # an IBAN's country code may stand there
                near["iban"].append((m.start() - 16, m.end() + 40))
        tokens = [(m.start() - 16, _word_end(text, m.end())) for m in TOKEN_CANDIDATE.finditer(text)]
        near["iban"] += tokens
        merged = {name: _merged(windows, size) for name, windows in near.items()}
        return cls(low, runs, merged, _merged(tokens, size))


def lowercase(text: str) -> str:
    """`text` lowercased with every character kept at its index."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(lo if len(lo := ch.lower()) == 1 else ch for ch in text)


def in_windows(pattern: re.Pattern[str], text: str, windows: list[Window]) -> Iterator[re.Match[str]]:
    """Matches of `pattern` inside each window of `text`."""
    for start, end in windows:
        yield from pattern.finditer(text, start, end)


def _merged(windows: Iterable[Window], size: int) -> list[Window]:
    """Sorted windows clipped to the text and joined where they overlap."""
    merged: list[Window] = []
    for start, end in sorted(windows):
        start, end = max(0, start), min(size, end)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _word_end(text: str, position: int) -> int:
    rest = NON_SPACE.match(text, position)
    return rest.end() if rest else position
