"""Money is Decimal, quantized to cents with ROUND_HALF_UP; never a float."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# ISO 4217 currencies with two minor units that the marketplace accepts.
SUPPORTED_CURRENCIES = (
    "AUD",
    "BRL",
    "CAD",
    "CHF",
    "CZK",
    "DKK",
    "EUR",
    "GBP",
    "HKD",
    "MXN",
    "NOK",
    "NZD",
    "PLN",
    "SEK",
    "SGD",
    "THB",
    "USD",
    "ZAR",
)
CURRENCY_CHOICES = [(code, code) for code in SUPPORTED_CURRENCIES]


def money(value) -> Decimal:
    """Quantize any number (Decimal, int, str) to cents, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent) -> Decimal:
    """`percent`% of `amount`, rounded to cents."""
    return money(Decimal(amount) * Decimal(percent) / Decimal(100))
