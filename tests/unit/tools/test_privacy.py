"""Secrets a customer pastes are masked; phone numbers, orders, prices and dates are left as written."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tools.privacy import HIDDEN, MaskResult, SecretKind, luhn_valid, mask_secrets

CARD = SecretKind.CARD_NUMBER
EXPIRY = SecretKind.CARD_EXPIRY
CVV = SecretKind.CARD_CVV
PASSWORD = SecretKind.PASSWORD
PIN = SecretKind.PIN
CODE = SecretKind.ONE_TIME_CODE
KEY = SecretKind.API_KEY
IBAN = SecretKind.IBAN
ACCOUNT = SecretKind.BANK_ACCOUNT
PASSPORT = SecretKind.PASSPORT

# Card numbers as customers paste them: (message, the card as written in it).
CARDS_IN_SENTENCES = [
    ("Номер карты: 2202 2012 3456 7895", "2202 2012 3456 7895"),
    ("Вот карта 4276-3800-1234-5679, оплатите пожалуйста", "4276-3800-1234-5679"),
    ("4276380012345679", "4276380012345679"),
    ("спишите с карты 5536 9137 9922 1037 и пришлите чек", "5536 9137 9922 1037"),
    ("карта\u00a04111\u00a01111\u00a01111\u00a01111 — это моя", "4111\u00a01111\u00a01111\u00a01111"),
    ("my card is 5555 5555 5555 4444, charge it today", "5555 5555 5555 4444"),
    ("Visa 4111-1111-1111-1111 please", "4111-1111-1111-1111"),
    ("Amex 3782 822463 10005 is the one", "3782 822463 10005"),
    ("use 6011111111111117 for the deposit", "6011111111111117"),
    ("Maestro 6390 0200 0000 0000 039 (19 digits)", "6390 0200 0000 0000 039"),
    ("card: 4111 - 1111 - 1111 - 1111.", "4111 - 1111 - 1111 - 1111"),
]


@pytest.mark.parametrize(("message", "card"), CARDS_IN_SENTENCES)
def test_a_card_number_keeps_only_its_last_four_digits(message: str, card: str) -> None:
    result = mask_secrets(message)
    digits = re.sub(r"\D", "", card)
    before, after = message.split(card)
    assert result.text == f"{before}[card •••• {digits[-4:]}]{after}"
    assert digits[:-4] not in re.sub(r"\D", "", result.text)
    assert result.found == (CARD,)


MASKED = [
    # Cards with their expiry date and CVV, Russian.
    (
        "карта 4111 1111 1111 1111, срок 12/27, cvv 123",
        "карта [card •••• 1111], срок [hidden], cvv [hidden]",
        (CARD, EXPIRY, CVV),
    ),
    (
        "вот карта 4276 3800 1234 5679 срок до 11/29 cvc 321 спасибо",
        "вот карта [card •••• 5679] срок до [hidden] cvc [hidden] спасибо",
        (CARD, EXPIRY, CVV),
    ),
    (
        "карта 5536 9137 9922 1037 действует до 08/28, CVV2: 456",
        "карта [card •••• 1037] действует до [hidden], CVV2: [hidden]",
        (CARD, EXPIRY, CVV),
    ),
    (
        "номер карты 5536 9137 9922 1037 12/27 код на обороте 123",
        "номер карты [card •••• 1037] [hidden] код на обороте [hidden]",
        (CARD, EXPIRY, CVV),
    ),
    ("4111111111111111 12/27 123", "[card •••• 1111] [hidden] [hidden]", (CARD, EXPIRY, CVV)),
    (
        "Мой номер карты\n4111 1111 1111 1111\nсрок 12/27\ncvv 123",
        "Мой номер карты\n[card •••• 1111]\nсрок [hidden]\ncvv [hidden]",
        (CARD, EXPIRY, CVV),
    ),
    ("Мир 2202 2012 3456 7895 до 11/29", "Мир [card •••• 7895] до [hidden]", (CARD, EXPIRY)),
    ("CVV2: 123", "CVV2: [hidden]", (CVV,)),
    ("код на обороте: 123", "код на обороте: [hidden]", (CVV,)),
    ("три цифры 123", "три цифры [hidden]", (CVV,)),
    ("три цифры на обороте 456", "три цифры на обороте [hidden]", (CVV,)),
    ("срок действия карты 09/28", "срок действия карты [hidden]", (EXPIRY,)),
    # Cards with their expiry date and CVV, English.
    (
        "my card is 4111-1111-1111-1111 exp 12/27 CVC: 123 thanks",
        "my card is [card •••• 1111] exp [hidden] CVC: [hidden] thanks",
        (CARD, EXPIRY, CVV),
    ),
    (
        "card number 5555 5555 5555 4444 exp 09/28 cvc 321",
        "card number [card •••• 4444] exp [hidden] cvc [hidden]",
        (CARD, EXPIRY, CVV),
    ),
    (
        "Amex 3782 822463 10005 exp 04/28 cid 1234",
        "Amex [card •••• 0005] exp [hidden] cid [hidden]",
        (CARD, EXPIRY, CVV),
    ),
    ("the security code is 987", "the security code is [hidden]", (CVV,)),
    ("expires 01/2030", "expires [hidden]", (EXPIRY,)),
    # Passwords, PINs and one-time codes, Russian.
    ("пароль: qwerty123, логин ivan", "пароль: [hidden], логин ivan", (PASSWORD,)),
    ("Пароль: Qwerty123", "Пароль: [hidden]", (PASSWORD,)),
    ("пароль от личного кабинета: Qwerty!23", "пароль от личного кабинета: [hidden]", (PASSWORD,)),
    ("мой пароль — Sunny2024", "мой пароль — [hidden]", (PASSWORD,)),
    ("мой пароль — это Sunny2024", "мой пароль — это [hidden]", (PASSWORD,)),
    ("пароль Sunny2024", "пароль [hidden]", (PASSWORD,)),
    ("пароль «qwerty»", "пароль «[hidden]»", (PASSWORD,)),
    ("пин-код 1234", "пин-код [hidden]", (PIN,)),
    ("ПИН-код: 0000", "ПИН-код: [hidden]", (PIN,)),
    ("пин 1234", "пин [hidden]", (PIN,)),
    ("код из смс 483920", "код из смс [hidden]", (CODE,)),
    ("смс-код 4839", "смс-код [hidden]", (CODE,)),
    ("код подтверждения 483920", "код подтверждения [hidden]", (CODE,)),
    ("одноразовый код: 123 456", "одноразовый код: [hidden]", (CODE,)),
    # Passwords, PINs and one-time codes, English.
    ("password is hunter2", "password is [hidden]", (PASSWORD,)),
    ("password: hunter2.", "password: [hidden].", (PASSWORD,)),
    ("my password for the portal is Tr0ub4dor&3", "my password for the portal is [hidden]", (PASSWORD,)),
    ("my pin is 1234", "my pin is [hidden]", (PIN,)),
    ("My PIN is: 1234", "My PIN is: [hidden]", (PIN,)),
    ("PIN code: 9876", "PIN code: [hidden]", (PIN,)),
    ("SMS code 483920", "SMS code [hidden]", (CODE,)),
    ("verification code is 483920", "verification code is [hidden]", (CODE,)),
    ("OTP 4839", "OTP [hidden]", (CODE,)),
    ("the code from the text message is 4839", "the code from the text message is [hidden]", (CODE,)),
    # Keys and tokens.
    ("my api key is sk-abcdefghijklmnop1234567890", "my api key is [hidden]", (KEY,)),
    ("sk-proj-abcDEF1234567890abcdefGHIJ", HIDDEN, (KEY,)),
    ("Authorization: Bearer abc.def.ghi12345", "Authorization: Bearer [hidden]", (KEY,)),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok",
        "jwt [hidden] ok",
        (KEY,),
    ),
    ("bot token 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw please", "bot token [hidden] please", (KEY,)),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", HIDDEN, (KEY,)),
    ("AKIAIOSFODNN7EXAMPLE", HIDDEN, (KEY,)),
    ("token: 5f2b9c1a8e7d6c5b4a3f2e1d0c9b8a7f", "token: [hidden]", (KEY,)),
    ("токен: 5f2b9c1a8e7d6c5b4a3f", "токен: [hidden]", (KEY,)),
    ("api key: AbCdEf1234567890", "api key: [hidden]", (KEY,)),
    (
        "here: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ok",
        "here: [hidden] ok",
        (KEY,),
    ),
    ("secret wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY1 x", "secret [hidden] x", (KEY,)),
    # IBANs and bank accounts.
    ("IBAN DE89 3704 0044 0532 0130 00 please", "IBAN [IBAN •••• 3000] please", (IBAN,)),
    ("GB82 WEST 1234 5698 7654 32", "[IBAN •••• 5432]", (IBAN,)),
    ("IBAN NL91 ABNA 0417 1643 00", "IBAN [IBAN •••• 4300]", (IBAN,)),
    ("NL91ABNA0417164300", "[IBAN •••• 4300]", (IBAN,)),
    ("Pay to FR14 2004 1010 0505 0001 3M02 606, thanks", "Pay to [IBAN •••• 2606], thanks", (IBAN,)),
    ("р/с 40817810099910004312", "р/с [account •••• 4312]", (ACCOUNT,)),
    ("р/с 40817 810 0 9999 1000431", "р/с [account •••• 0431]", (ACCOUNT,)),
    ("расчётный счёт 40702810900000012345", "расчётный счёт [account •••• 2345]", (ACCOUNT,)),
    ("счёт 40702810900000012345", "счёт [account •••• 2345]", (ACCOUNT,)),
    ("переведите на 40817810099910004312", "переведите на [account •••• 4312]", (ACCOUNT,)),
    ("account number 40702810900000012345", "account number [account •••• 2345]", (ACCOUNT,)),
    # Passports.
    ("паспорт 45 12 345678", "паспорт [hidden]", (PASSPORT,)),
    ("паспорт 4512 345678", "паспорт [hidden]", (PASSPORT,)),
    ("паспорт серия 45 12 номер 345678", "паспорт серия [hidden]", (PASSPORT,)),
    ("паспорт серия 45 12 № 345678", "паспорт серия [hidden]", (PASSPORT,)),
    ("паспортные данные: 45 12 345678", "паспортные данные: [hidden]", (PASSPORT,)),
    ("серия 4512 номер 345678", "серия [hidden]", (PASSPORT,)),
    ("passport number 123456789", "passport number [hidden]", (PASSPORT,)),
    ("passport no. AB1234567", "passport no. [hidden]", (PASSPORT,)),
]


@pytest.mark.parametrize(("message", "masked", "found"), MASKED)
def test_secrets_are_masked_and_the_rest_of_the_sentence_is_unchanged(
    message: str, masked: str, found: tuple[SecretKind, ...]
) -> None:
    assert mask_secrets(message) == MaskResult(masked, found)


@pytest.mark.parametrize(("message", "masked", "found"), MASKED)
def test_masking_twice_changes_nothing_more(message: str, masked: str, found: tuple[SecretKind, ...]) -> None:
    assert mask_secrets(masked) == MaskResult(masked, ())


NOT_SECRETS = [
    # Phone numbers.
    "Мой телефон +7 916 123-45-67",
    "позвоните 8 (916) 123 45 67",
    "89161234567",
    "+79161234567",
    "UK office: +44 20 7946 0958",
    "call +1 (212) 555-0123 ext. 4567",
    "8-800-555-35-35",
    "89161234567, 89261234567",
    "+7 916 123 45 67 доб. 1234",
    "+7 916 123 45 67 4567 8901",
    # Order numbers and ids.
    "Заказ LM-04217 не пришёл",
    "where is RM-0412?",
    "заказ №12345678",
    "order 4111 1111 1111 1111 is late",
    "booking id 123e4567-e89b-12d3-a456-426614174000",
    "код заказа LM-04217",
    "IMEI 356938035643809",
    # Prices and budgets.
    "Бюджет 1 500 000 руб",
    "it costs $5,000",
    "5 000 ₽ за м2",
    "от 12 500 до 18 000 рублей",
    "€1,250.50 per month",
    "бюджет 20000000-30000000",
    "от 2000000030000000 руб",
    "budget is 1 000 000 000 000 dollars",
    # Dates, times and quantities.
    "встреча 12/27",
    "срок сдачи проекта 12/27",
    "12.05.2027 в 14:30",
    "2027-05-12T14:30:00",
    "с 10:00 до 18:00",
    "12 мая 2027 года",
    "I need 2 rooms for 4 people on 05/06",
    "70 м2, 3 комнаты, 2 санузла",
    "номер 4512 на 3 ночи",
    "Спасибо, до встречи в пятницу в 15:00!",
    # Emails and links.
    "ivan.petrov1987@example.ru",
    "john.smith+4111@gmail.com",
    "https://example.com/how-to-book-an-appointment-online-2027",
    "https://example.com/booking?date=2027-05-12&time=14:30",
    "responsibilities and internationalization",
    # Luhn-invalid 16-digit numbers.
    "4111 1111 1111 1112",
    "4276 3800 1234 5678",
    "5555555555554445",
    "карта 4111-1111-1111-1113, срок 12/27",
    # Words about secrets, without a secret.
    "пароль не подходит",
    "забыл пароль, помогите",
    "Мой пароль — это секрет",
    "пароль от вайфая какой?",
    "How do I reset my password?",
    "password reset link doesn't work",
    "my password is wrong",
    "Where do I enter the SMS code?",
    "the code is in the email",
    "pin the message please",
    "Where is the CVV on my card?",
    "нужен ли паспорт?",
    "серия 4512",
    "token expired, what now?",
    # Public bank details.
    "к/с 30101810400000000225",
    "БИК 044525225, ИНН 7707083893, КПП 770701001",
    "ОГРН 1027700132195",
    "",
]


@pytest.mark.parametrize("message", NOT_SECRETS)
def test_ordinary_details_are_left_exactly_as_written(message: str) -> None:
    assert mask_secrets(message) == MaskResult(message, ())


def test_several_secrets_in_one_russian_message() -> None:
    message = (
        "Добрый день! Оплачу картой 4276 3800 1234 5679, срок 11/29, cvc 321. "
        "Пароль от кабинета: Zima2027, код из смс 483920. Телефон +7 916 123-45-67, заказ LM-04217, "
        "бюджет 1 500 000 руб."
    )
    result = mask_secrets(message)
    assert result.text == (
        "Добрый день! Оплачу картой [card •••• 5679], срок [hidden], cvc [hidden]. "
        "Пароль от кабинета: [hidden], код из смс [hidden]. Телефон +7 916 123-45-67, заказ LM-04217, "
        "бюджет 1 500 000 руб."
    )
    assert result.found == (CARD, EXPIRY, CVV, PASSWORD, CODE)
    assert result.masked


def test_several_secrets_in_one_english_message() -> None:
    message = (
        "Hi, my passport number 123456789 and card 5555 5555 5555 4444 exp 09/28 CVC: 321. "
        "The SMS code 483920 didn't work; my password is hunter2. Call me on +44 20 7946 0958 about RM-0412 ($5,000)."
    )
    result = mask_secrets(message)
    assert result.text == (
        "Hi, my passport number [hidden] and card [card •••• 4444] exp [hidden] CVC: [hidden]. "
        "The SMS code [hidden] didn't work; my password is [hidden]. Call me on +44 20 7946 0958 about RM-0412 ($5,000)."
    )
    assert result.found == (PASSPORT, CARD, EXPIRY, CVV, CODE, PASSWORD)


def test_a_card_next_to_a_phone_number_is_masked_and_the_phone_is_not() -> None:
    result = mask_secrets("+7 916 123 45 67 4111 1111 1111 1111")
    assert result.text == "+7 916 123 45 67 [card •••• 1111]"


def test_two_cards_in_one_message_are_both_masked() -> None:
    result = mask_secrets("старая 4111 1111 1111 1111, новая 5555-5555-5555-4444")
    assert result.text == "старая [card •••• 1111], новая [card •••• 4444]"
    assert result.found == (CARD, CARD)


def test_a_card_inside_a_long_message_leaves_every_other_character_alone() -> None:
    filler = (
        "Здравствуйте, хочу записаться на стрижку в пятницу в 14:30, мой телефон 8 (916) 123 45 67. " * 40
    )
    message = f"{filler}Номер карты 4111 1111 1111 1111.{filler}"
    result = mask_secrets(message)
    assert result.text == f"{filler}Номер карты [card •••• 1111].{filler}"
    assert result.found == (CARD,)


def test_letters_that_change_length_when_lowercased_do_not_shift_the_mask() -> None:
    result = mask_secrets("İstanbul office: карта 4111 1111 1111 1111, cvv 123")
    assert result.text == "İstanbul office: карта [card •••• 1111], cvv [hidden]"


def test_digits_of_other_scripts_are_left_alone() -> None:
    message = "٤١١١ ١١١١ ١١١١ ١١١١ and ４１１１１１１１１１１１１１１１"
    assert mask_secrets(message) == MaskResult(message, ())


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("5555555555554444", True),
        ("378282246310005", True),
        ("2202201234567895", True),
        ("4111111111111112", False),
        ("79161234567", False),
        ("0", True),
        ("", False),
        ("4111 1111", False),
        ("٤١١١", False),
    ],
)
def test_luhn_check_digit(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


def test_the_result_is_a_frozen_value() -> None:
    result = mask_secrets("cvv 123")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "cvv 123"  # type: ignore[misc]
    assert not mask_secrets("hello").masked
