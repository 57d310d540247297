import pytest
from django.core.exceptions import ValidationError

from logbooks import privacy

IDENTIFYING = [
    # CPR numbers
    ("Borgeren har cpr 010190-1234", "cpr"),
    ("cpr: 0101901234", "cpr"),
    ("311299-4321 var med", "cpr"),
    ("Hun (150685 1234) kom for sent", "cpr"),
    ("nr.121212-1212.", "cpr"),
    ("CPR 2907821111 skal rettes", "cpr"),
    # phone numbers
    ("Ring på 12345678", "phone"),
    ("tlf. 12 34 56 78", "phone"),
    ("+45 12 34 56 78 efter kl. 16", "phone"),
    ("+4512345678", "phone"),
    ("0045 12345678", "phone"),
    ("0045 1234 5678", "phone"),
    ("mobil 2012 3456", "phone"),
    ("ring (+45) 20 30 40 50".replace("(+45) ", "+45 "), "phone"),
    ("nummeret er 87 65 43 21.", "phone"),
    # e-mail addresses
    ("skriv til anna@example.com", "email"),
    ("ANNA.Hansen@Kommune.DK", "email"),
    ("mail: a+b@sub.domain.org i morgen", "email"),
    ("kontakt ole_91@gmail.com", "email"),
    ("søren@hjemmeside.dk", "email"),
]


@pytest.mark.parametrize(("text", "kind"), IDENTIFYING)
def test_it_finds_identifiers(text, kind):
    assert kind in privacy.find_identifiers(text)
    with pytest.raises(ValidationError) as info:
        privacy.validate_no_identifiers(text)
    assert "Remove it" in str(info.value) or "Fjern" in str(info.value)


@pytest.mark.parametrize("text", [
    "Samtalen varede 45 minutter, næste møde 12.03.2026.",
    "Hun er 34 år og har 2 børn på 4 og 7.",
    "Ydelsen er 12 500 kr. om måneden",
    "Samtale 12-03-2026 kl. 10.30",
    "",
    "Han spurgte om @-tegnet i formularen",
])
def test_it_leaves_ordinary_text_alone(text):
    assert privacy.find_identifiers(text) == []
    privacy.validate_no_identifiers(text)


def test_the_message_says_what_to_remove_in_danish(settings):
    from django.utils import translation

    with translation.override("da"):
        message = privacy.message_for(["cpr", "email"])
    assert "CPR-nummer" in message and "e-mailadresse" in message
