"""Fixed catalogue of demo places, amenities and people (deterministic demo data)."""

from decimal import Decimal

AMENITIES = [
    ("wifi", "Wi-Fi", "wifi"), ("kitchen", "Kitchen", "kitchen"),
    ("washer", "Washer", "local_laundry_service"),
    ("air-conditioning", "Air conditioning", "ac_unit"),
    ("heating", "Heating", "heat"), ("workspace", "Dedicated workspace", "desk"),
    ("tv", "TV", "tv"), ("free-parking", "Free parking", "local_parking"),
    ("pool", "Pool", "pool"), ("hot-tub", "Hot tub", "hot_tub"),
    ("balcony", "Balcony", "balcony"), ("sea-view", "Sea view", "water"),
    ("pets-allowed", "Pets allowed", "pets"), ("elevator", "Elevator", "elevator"),
]  # fmt: skip

# city, country, time zone, currency, latitude, longitude, typical nightly price
CITIES = [
    ("Lisbon", "PT", "Europe/Lisbon", "EUR", "38.722252", "-9.139337", 95),
    ("Porto", "PT", "Europe/Lisbon", "EUR", "41.157944", "-8.629105", 80),
    ("Barcelona", "ES", "Europe/Madrid", "EUR", "41.385063", "2.173404", 120),
    ("Paris", "FR", "Europe/Paris", "EUR", "48.856613", "2.352222", 160),
    ("Berlin", "DE", "Europe/Berlin", "EUR", "52.520008", "13.404954", 110),
    ("Amsterdam", "NL", "Europe/Amsterdam", "EUR", "52.367573", "4.904139", 170),
    ("London", "GB", "Europe/London", "GBP", "51.507351", "-0.127758", 150),
    ("New York", "US", "America/New_York", "USD", "40.712776", "-74.005974", 210),
    ("Cape Town", "ZA", "Africa/Johannesburg", "ZAR", "-33.924870", "18.424055", 1400),
    ("Sydney", "AU", "Australia/Sydney", "AUD", "-33.868820", "151.209290", 230),
]

ADJECTIVES = ["Sunny", "Quiet", "Bright", "Cosy", "Elegant", "Airy", "Charming", "Modern",
              "Historic", "Spacious", "Hidden", "Panoramic"]  # fmt: skip
# place name -> (property type, bedrooms range): titles, types and sizes agree with each other
PLACES = {
    "studio": ("apartment", (1, 1)),
    "artist's studio": ("loft", (1, 1)),
    "loft": ("loft", (1, 2)),
    "flat": ("apartment", (1, 3)),
    "garden apartment": ("apartment", (2, 3)),
    "penthouse": ("apartment", (2, 4)),
    "room with a view": ("room", (1, 1)),
    "cottage": ("cabin", (1, 3)),
    "townhouse": ("house", (2, 4)),
    "family home": ("house", (3, 5)),
    "villa": ("villa", (3, 6)),
}
FIRST_NAMES = ["Ana", "Bruno", "Chloé", "Daniel", "Eva", "Farid", "Greta", "Hugo", "Inês", "Jonas",
               "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tara",
               "Umar", "Vera", "Wen", "Yara", "Zoltan"]  # fmt: skip
LAST_NAMES = ["Silva", "Martin", "Müller", "Rossi", "García", "Dubois", "Jensen", "Novak", "Smith",
              "Kowalski", "Okafor", "Tanaka", "Costa", "Haddad", "Nguyen"]  # fmt: skip
COMMENTS = [
    "Spotless, exactly as pictured, and the host was quick to answer.",
    "Great location, a little noisy at night but we'd come back.",
    "Lovely light in the mornings. Check-in was easy.",
    "Comfortable beds and a well-equipped kitchen.",
    "The neighbourhood is wonderful; the flat could use a refresh.",
    "Perfect for a work trip: fast Wi-Fi and a real desk.",
]
POLICIES = ["flexible", "moderate", "strict"]
PRICE_STEPS = [Decimal("0.8"), Decimal("1"), Decimal("1.15"), Decimal("1.35")]

DEMO_PASSWORD = "demo-password"
ACCOUNTS = {
    "admin": ("admin@example.com", "Ada", "Admin"),
    "host": ("host@example.com", "Helena", "Host"),
    "guest": ("guest@example.com", "Gustavo", "Guest"),
    "moderator": ("moderator@example.com", "Maya", "Moderator"),
    "auditor": ("auditor@example.com", "Arturo", "Auditor"),
}
