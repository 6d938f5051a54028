"""Fixed vocabularies of the simulated company: stages, channels, countries and their labels.

Everything a renderer writes as a label comes from here, so the truth can document exactly which
raw value means what, and tests can check every label maps through seeds/stage_label_map.csv.
"""

from __future__ import annotations

from pathlib import Path

# The simulated company's reference data ships with the package (simulator/data/), so the simulator
# never reads the repository it happens to sit in. They are copies of the pipeline's seeds/fx_rates.csv,
# seeds/customer_segments.csv and mappings/generic.yml; tests/python/test_package_boundaries.py keeps
# each byte-identical to its original (the truth is only right if both sides use the same rates).
DATA_DIR = Path(__file__).resolve().parent / "data"
FX_RATES_CSV = DATA_DIR / "fx_rates.csv"
CUSTOMER_SEGMENTS_CSV = DATA_DIR / "customer_segments.csv"
GENERIC_MAPPING = DATA_DIR / "generic.yml"

DAY = 86_400
HOUR = 3_600

# Person lifecycle: rank == index (stage_order / 10 - 1); DQ is an exit, not a later stage.
PERSON_STAGES = [
    "subscriber",
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "repeat_customer",
    "advocate",
    "disqualified",
]
SUB, LEAD, MQL, SAL, SQL, OPP, CUST, REPEAT, ADV, DQ = range(10)
N_FUNNEL_PERSON = 9  # stages that take part in "reached" (all but disqualified)

# Deal pipeline (canonical); W and L are the closed stages.
DEAL_STAGES = ["qualification", "meeting", "proposal", "negotiation", "closed_won", "closed_lost"]
Q, M, P, N, W, L = range(6)
OPEN_DEAL_STAGES = 4

DEAL_TYPES = ["new_business", "upsell", "cross_sell", "renewal"]
NEW_BUSINESS, UPSELL, CROSS_SELL, RENEWAL = range(4)

CHANNELS = [
    "paid_search",
    "paid_social",
    "organic_search",
    "email",
    "events",
    "referral",
    "direct",
    "partner",
]
CHANNEL_WEIGHTS = [0.22, 0.15, 0.18, 0.08, 0.08, 0.07, 0.12, 0.10]
PAID_SEARCH, PAID_SOCIAL, ORGANIC, EMAIL, EVENTS, REFERRAL, DIRECT, PARTNER = range(8)
# Channels that run campaigns (utm_campaign); the others carry no campaign.
CAMPAIGN_CHANNELS = [PAID_SEARCH, PAID_SOCIAL, EMAIL, EVENTS, PARTNER]
CHANNEL_LABELS = {
    "salesforce": [
        "Paid Search",
        "Paid Social",
        "Organic Search",
        "Email",
        "Events",
        "Referral",
        "Direct",
        "Partner",
    ],
    "hubspot": [
        "PAID_SEARCH",
        "PAID_SOCIAL",
        "ORGANIC_SEARCH",
        "EMAIL_MARKETING",
        "OFFLINE",
        "REFERRALS",
        "DIRECT_TRAFFIC",
        "OTHER_CAMPAIGNS",
    ],
    "generic": [
        "Paid Search",
        "Paid Social",
        "Organic Search",
        "Email",
        "Events",
        "Referral",
        "Direct",
        "Partner",
    ],
}
UTM = {  # channel -> (utm_source, utm_medium)
    PAID_SEARCH: ("google", "cpc"),
    PAID_SOCIAL: ("linkedin", "paid_social"),
    ORGANIC: ("google", "organic"),
    EMAIL: ("newsletter", "email"),
    EVENTS: ("event", "offline"),
    REFERRAL: ("customer", "referral"),
    DIRECT: ("", ""),
    PARTNER: ("partner", "referral"),
}

DEAL_TYPE_LABELS = {
    "salesforce": ["New Business", "Upsell", "Cross-sell", "Renewal"],
    "hubspot": ["newbusiness", "upsell", "crosssell", "renewal"],
    "generic": ["New Business", "Upsell", "Cross-sell", "Renewal"],
}

# Salesforce lead statuses (pipeline `lifecycle`); post-opportunity stages are not lead statuses.
SF_LEAD_STATUS = {
    SUB: "Subscriber",
    LEAD: "Open - Not Contacted",
    MQL: "Marketing Qualified",
    SAL: "Working - Contacted",
    SQL: "Sales Qualified",
    OPP: "Closed - Converted",
    DQ: "Closed - Not Converted",
}
SF_RECYCLED = "Recycled"  # label of a re-entry into `lead`
SF_DEAL_STAGE = [
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
]
SF_MEETING_VARIANTS = ["Needs Analysis", "Value Proposition", "Id. Decision Makers"]
SF_STAGE_PROBABILITY = [10, 20, 60, 80, 100, 0]
SF_FORECAST = ["Pipeline", "Pipeline", "Best Case", "Commit", "Closed", "Omitted"]
# HubSpot hs_forecast_category per deal stage: the same stage defaults as Salesforce, in HubSpot's values
HS_FORECAST = ["PIPELINE", "PIPELINE", "BEST_CASE", "COMMIT", "CLOSED", "OMIT"]

HS_LIFECYCLE = {
    SUB: "subscriber",
    LEAD: "lead",
    MQL: "marketingqualifiedlead",
    SAL: "salesacceptedlead",
    SQL: "salesqualifiedlead",
    OPP: "opportunity",
    CUST: "customer",
    ADV: "evangelist",
    DQ: "other",
}  # repeat_customer has no HubSpot lifecycle stage: derive it from the second won deal
HS_DATE_STAGES = [
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesacceptedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
]
HS_DEFAULT_PIPELINE = "default"
HS_DEFAULT_STAGE_IDS = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]
HS_DEFAULT_STAGE_LABELS = [
    "Appointment Scheduled",
    "Qualified To Buy",
    "Presentation Scheduled",
    "Decision Maker Bought-In",
    "Contract Sent",
    "Closed Won",
    "Closed Lost",
]
HS_DEFAULT_PROBABILITY = [0.2, 0.4, 0.6, 0.8, 0.9, 1.0, 0.0]
# canonical deal stage -> default-pipeline stage id index (negotiation: per deal either of two ids)
HS_DEFAULT_FOR_STAGE = [0, 1, 2, 3, 5, 6]
HS_CUSTOM_PIPELINE = "87654321"
HS_CUSTOM_PIPELINE_LABEL = "Renewals & Expansion"
HS_CUSTOM_STAGE_IDS = ["110001", "110002", "110003", "110004", "110005", "110006"]
HS_CUSTOM_STAGE_LABELS = [
    "Qualification",
    "Meeting scheduled",
    "Proposal",
    "Negotiation",
    "Closed won",
    "Closed lost",
]
HS_CUSTOM_PROBABILITY = [0.1, 0.3, 0.6, 0.8, 1.0, 0.0]

GENERIC_LIFECYCLE = {
    SUB: "Subscriber",
    LEAD: "Lead",
    MQL: "Marketing Qualified Lead",
    SAL: "Sales Accepted Lead",
    SQL: "Sales Qualified Lead",
    OPP: "Opportunity",
    CUST: "Customer",
    REPEAT: "Repeat Customer",
    ADV: "Advocate",
    DQ: "Disqualified",
}
GENERIC_RECYCLED = "Recycled"
GENERIC_DEAL_STAGE = ["Qualification", "Meeting", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
GENERIC_PIPELINES = ["New Business", "Expansion"]
GENERIC_PROBABILITY = [0.1, 0.2, 0.5, 0.75, 1.0, 0.0]

# Countries: (code, name, currency, region, utc offsets in minutes the persons there use)
COUNTRIES = [
    ("US", "United States", "USD", "AMER", (-300, -360, -480)),
    ("CA", "Canada", "CAD", "AMER", (-300, -480)),
    ("GB", "United Kingdom", "GBP", "EMEA", (0,)),
    ("DE", "Germany", "EUR", "EMEA", (60,)),
    ("FR", "France", "EUR", "EMEA", (60,)),
    ("NL", "Netherlands", "EUR", "EMEA", (60,)),
    ("JP", "Japan", "JPY", "APAC", (540,)),
    ("AU", "Australia", "AUD", "APAC", (600,)),
    ("CN", "China", "CNY", "APAC", (480,)),
    ("IN", "India", "USD", "APAC", (330,)),
]
COUNTRY_WEIGHTS = [0.36, 0.06, 0.12, 0.1, 0.06, 0.04, 0.06, 0.07, 0.05, 0.08]
REGIONS = ["AMER", "EMEA", "APAC"]
TZ_OFFSETS = sorted({o for c in COUNTRIES for o in c[4]})
TZ_SID = {
    -480: "America/Los_Angeles",
    -360: "America/Chicago",
    -300: "America/New_York",
    0: "Europe/London",
    60: "Europe/Berlin",
    330: "Asia/Kolkata",
    480: "Asia/Shanghai",
    540: "Asia/Tokyo",
    600: "Australia/Sydney",
}

INDUSTRIES = [
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Logistics",
    "Media",
    "Energy",
    "Telecommunications",
]
PRODUCTS = [  # (name, code, family, list price USD)
    ("Funnel Cloud Starter", "FC-STR", "Platform", 4_800),
    ("Funnel Cloud Pro", "FC-PRO", "Platform", 12_000),
    ("Funnel Cloud Enterprise", "FC-ENT", "Platform", 36_000),
    ("Insight Analytics", "IN-ANL", "Analytics", 9_600),
    ("Attribution Add-on", "IN-ATT", "Analytics", 6_000),
    ("Onboarding Package", "SV-ONB", "Services", 7_500),
    ("Premium Support", "SV-SUP", "Services", 5_400),
]

FIRST_NAMES = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "Lukas",
    "Emma",
    "Hannah",
    "Noah",
    "Sophie",
    "Louis",
    "Camille",
    "Hugo",
    "Ines",
    "Daan",
    "Femke",
    "Yuki",
    "Haruto",
    "Sakura",
    "Ren",
    "Wei",
    "Li",
    "Mei",
    "Jun",
    "Aarav",
    "Priya",
    "Rohan",
    "Ananya",
    "Oliver",
    "Amelia",
    "Jack",
    "Isla",
    "Liam",
    "Chloe",
    "Mateo",
    "Lucia",
    "Olga",
    "Ivan",
    "Fatima",
    "Omar",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Dubois",
    "Lefebvre",
    "Moreau",
    "de Vries",
    "Jansen",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Sharma",
    "Patel",
    "Gupta",
    "Singh",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Campbell",
]
COMPANY_WORDS_A = [
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Acme",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Oscorp",
    "Aperture",
    "Massive",
    "Blue Sun",
    "Monarch",
]
COMPANY_WORDS_B = [
    "Analytics",
    "Logistics",
    "Health",
    "Systems",
    "Foods",
    "Capital",
    "Labs",
    "Media",
    "Energy",
    "Retail",
    "Networks",
    "Robotics",
    "Learning",
    "Partners",
    "Motors",
]
JOB_TITLES = [
    "Marketing Manager",
    "Head of Growth",
    "CMO",
    "Sales Director",
    "VP Sales",
    "Data Analyst",
    "Revenue Operations Manager",
    "CEO",
    "Demand Generation Lead",
    "Product Manager",
]
