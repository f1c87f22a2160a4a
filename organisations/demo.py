"""Demo data: a directory of community organisations across the CMM that reads like the real thing.

For development (``make run``), demonstrations and benchmarks. The same seed gives the same data:
every random choice, UUIDs included, comes from one ``random.Random(seed)``; only primary keys and
dates (relative to today, in a reproducible pattern) differ between runs.

Contact details are fictional by construction, so a public demo never sends anyone to a real
person: phone numbers are in the 555-0100 to 555-0199 range that the North American Numbering
Plan reserves for fiction (libphonenumber accepts them as valid), emails and websites are under
``example.org`` (reserved by RFC 2606).

Rows are written in bulk, chunk by chunk, in one transaction: ``bulk_create`` for the rows that
children point to (organisations, services, locations: it returns their primary keys), plain
inserts for the rest (see ``_Table``). No signals are sent, so nothing reaches django-reversion's
audit log (demo data is not an edit) or Wagtail's search index, which is filled explicitly. The
few drafts in review go through Wagtail's revisions and workflow, inside an audited block.
"""

import math
import random
import time as clock
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import accumulate
from typing import TextIO

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from .audit import audited
from .geocoding import address_key
from .models import (
    AuditSource,
    Category,
    Contact,
    Location,
    OpeningHours,
    Organisation,
    OrganisationIdentifier,
    Phone,
    Service,
    Territory,
)
from .revisions import live_revisions_ensure
from .search import search_index_rebuild

# The kinds of rows demo_seed writes, as keys of the counts it returns.
ROW_KINDS = (
    "organisations",
    "services",
    "locations",
    "hours",
    "phones",
    "contacts",
    "identifiers",
    "category_links",
    "area_links",
)

# Organisations generated, written and indexed together: bounds memory (about 20 rows each).
CHUNK_SIZE = 2000
# Rows per INSERT where the database sets no lower limit (SQLite caps at 999 parameters itself).
BATCH_SIZE = 1000
# SQLite page cache while seeding, in KiB (see _large_sqlite_cache).
SQLITE_CACHE_KIB = 256 * 1024
# Verification dates are spread over the last 18 months: with a yearly cycle, about a third of
# the verified records are overdue, which is what the review screens need to show.
VERIFICATION_SPREAD_DAYS = 548

MONTREAL_SECTOR = "secteur-agglomeration-de-montreal"
LAVAL_SECTOR = "secteur-laval"
REGION_SLUG = "cmm"


class DemoDataError(Exception):
    """The demo data cannot be generated here; the message says why."""


# --- Places ---------------------------------------------------------------------------------------

# Rounded 2021 census populations, in thousands, so that Montréal gets its share of organisations;
# a municipality not listed weighs 5.
# fmt: off
POPULATION = {
    "montreal": 1762, "laval": 438, "longueuil": 254, "terrebonne": 119, "brossard": 91,
    "repentigny": 86, "mirabel": 61, "blainville": 59, "mascouche": 51, "chateauguay": 50,
    "dollard-des-ormeaux": 49, "saint-eustache": 45, "vaudreuil-dorion": 43, "boucherville": 41,
    "cote-saint-luc": 34, "pointe-claire": 33, "chambly": 31, "sainte-julie": 30,
    "saint-constant": 29, "boisbriand": 28, "saint-bruno-de-montarville": 27, "la-prairie": 26,
    "sainte-therese": 26, "beloeil": 24, "l-assomption": 23, "candiac": 22, "saint-lazare": 22,
    "saint-lambert": 22, "varennes": 21, "mont-royal": 21, "westmount": 20, "kirkland": 20,
    "sainte-marthe-sur-le-lac": 20, "beaconsfield": 19, "dorval": 19, "mont-saint-hilaire": 19,
    "deux-montagnes": 18, "sainte-catherine": 17, "saint-basile-le-grand": 17, "pincourt": 15,
    "sainte-anne-des-plaines": 15, "rosemere": 14, "mercier": 14, "beauharnois": 13,
    "l-ile-perrot": 11, "bois-des-filion": 10, "lorraine": 9, "hampstead": 7,
    "l-ile-dorval": 0.01, "l-ile-cadieux": 0.1, "senneville": 1,
}
# fmt: on
DEFAULT_POPULATION = 5

# Where English-speaking organisations are common (share of organisations named in English).
# fmt: off
ENGLISH_SHARE = {
    "westmount": 0.6, "hampstead": 0.6, "cote-saint-luc": 0.55, "baie-d-urfe": 0.65,
    "beaconsfield": 0.65, "kirkland": 0.6, "pointe-claire": 0.55, "dollard-des-ormeaux": 0.55,
    "senneville": 0.6, "sainte-anne-de-bellevue": 0.5, "montreal-ouest": 0.6, "dorval": 0.45,
    "mont-royal": 0.4, "hudson": 0.6, "cote-des-neiges-notre-dame-de-grace": 0.45,
    "pierrefonds-roxboro": 0.35, "saint-laurent": 0.2, "le-plateau-mont-royal": 0.15,
    "ville-marie": 0.25, "lasalle": 0.2, "verdun": 0.15, "lachine": 0.15,
}
# fmt: on
DEFAULT_ENGLISH_SHARE = {MONTREAL_SECTOR: 0.1}
# fmt: off
WEST_ISLAND = {
    "baie-d-urfe", "beaconsfield", "kirkland", "pointe-claire", "dollard-des-ormeaux",
    "senneville", "sainte-anne-de-bellevue", "dorval", "pierrefonds-roxboro",
    "l-ile-bizard-sainte-genevieve",
}
# fmt: on

# Second character of the forward sortation areas (FSA) each sector uses: H1-H4, H8, H9 on the
# island, H7 in Laval, J elsewhere (J0 being rural areas).
FSA_DIGITS = {
    MONTREAL_SECTOR: "123489",
    LAVAL_SECTOR: "7",
    "secteur-agglomeration-de-longueuil": "34",
    "secteur-couronne-nord": "567",
    "secteur-couronne-sud": "03567",
}
# Canada Post never uses D, F, I, O, Q or U, and never W or Z as the first letter.
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"


@dataclass
class _Place:
    """A municipality, borough or district, with what the generator needs to know about it."""

    id: int
    slug: str
    name: str
    sector_id: int
    municipality_id: int
    centre: tuple[float, float]
    fsas: tuple[str, ...]
    area_codes: tuple[str, ...]
    english_share: float
    sub_places: list["_Place"] = field(default_factory=list)

    @property
    def is_sub_area(self) -> bool:
        return self.municipality_id != self.id


# --- What organisations do -----------------------------------------------------------------------

T = time  # short alias for the tables below


@dataclass(frozen=True)
class _Kind:
    """A family of organisations: how they are named, whom they serve, what they offer."""

    weight: float
    names: tuple[tuple[str, str], ...]  # (French, English) kinds of organisation
    public: tuple[str, str]  # whom the organisation serves, as a direct object
    eligibility: tuple[str, str]
    services: tuple[tuple[str, str, tuple[str, ...]], ...]  # (French, English, category codes)
    hours: tuple[str, ...]
    name_patterns: tuple[tuple[str, float], ...] = (
        ("place", 0.55),
        ("nom", 0.2),
        ("nom_place", 0.1),
        ("saint", 0.15),
    )
    confidential: bool = False
    legal: tuple[tuple[str, float], ...] = (
        ("nonprofit", 0.7),
        ("charity", 0.24),
        ("cooperative", 0.02),
        ("other", 0.04),
    )


KINDS = (
    _Kind(
        12,
        (
            ("Banque alimentaire", "Food Bank"),
            ("Comptoir alimentaire", "Community Pantry"),
            ("Épicerie solidaire", "Community Grocery"),
            ("Dépannage alimentaire", "Food Assistance"),
        ),
        ("les personnes et les familles à faible revenu", "low-income individuals and families"),
        ("Personnes et familles à faible revenu", "Low-income individuals and families"),
        (
            ("Dépannage alimentaire", "Emergency food baskets", ("banques-alimentaires",)),
            ("Cuisines collectives", "Community kitchens", ("cuisines-collectives",)),
            ("Repas communautaires", "Community meals", ("repas-communautaires",)),
            ("Paniers de Noël", "Christmas baskets", ("banques-alimentaires",)),
            ("Ateliers de budget", "Budgeting workshops", ("impots-budget",)),
        ),
        ("food", "office", "lunch"),
    ),
    _Kind(
        6,
        (("Popote roulante", "Meals on Wheels"),),
        (
            "les aînés et les personnes en perte d'autonomie",
            "seniors and people with reduced autonomy",
        ),
        (
            "Aînés et personnes en convalescence ou en perte d'autonomie",
            "Seniors and people convalescing or with reduced autonomy",
        ),
        (
            ("Popote roulante", "Meals on wheels", ("popote-roulante",)),
            ("Repas communautaires", "Community meals", ("repas-communautaires",)),
            ("Appels d'amitié", "Friendly phone calls", ("aines",)),
        ),
        ("office", "mon_thu"),
    ),
    _Kind(
        12,
        (
            ("Centre d'entraide", "Mutual Aid Centre"),
            ("Centre d'action bénévole", "Volunteer Centre"),
            ("Service d'entraide", "Community Help Service"),
            ("Centre communautaire", "Community Centre"),
        ),
        ("toute la population", "everyone"),
        ("Toute personne dans le besoin", "Anyone in need"),
        (
            (
                "Accompagnement-transport médical",
                "Medical transport and accompaniment",
                ("accompagnement-medical",),
            ),
            ("Aide à domicile", "Home help", ("aide-domicile",)),
            ("Popote roulante", "Meals on wheels", ("popote-roulante",)),
            ("Clinique d'impôts", "Tax clinic", ("impots-budget",)),
            ("Aide aux déménagements", "Moving help", ("demenagement",)),
            ("Déneigement pour aînés", "Snow removal for seniors", ("deneigement", "aines")),
            ("Menus travaux", "Minor home repairs", ("menus-travaux",)),
        ),
        ("office", "lunch", "mon_thu"),
    ),
    _Kind(
        3.5,
        (
            ("Maison d'hébergement", "Women's Shelter"),
            ("Maison d'aide et d'hébergement", "Transition House"),
            ("Refuge pour femmes", "Women's Refuge"),
        ),
        (
            "les femmes victimes de violence conjugale et leurs enfants",
            "women and children leaving domestic violence",
        ),
        (
            "Femmes victimes de violence conjugale, avec ou sans enfants",
            "Women leaving domestic violence, with or without children",
        ),
        (
            (
                "Hébergement pour femmes victimes de violence conjugale",
                "Shelter for women leaving domestic violence",
                ("violence-conjugale", "hebergement-urgence"),
            ),
            ("Ligne d'écoute 24 heures", "24-hour helpline", ("violence-conjugale",)),
            (
                "Suivi post-hébergement",
                "Follow-up after the stay",
                ("violence-conjugale", "groupes-soutien"),
            ),
        ),
        ("always",),
        name_patterns=(("nom", 0.85), ("nom_place", 0.15)),
        confidential=True,
        legal=(("nonprofit", 0.6), ("charity", 0.4)),
    ),
    _Kind(
        3,
        (("Mission", "Mission"), ("Refuge", "Shelter"), ("Halte-accueil", "Drop-in Centre")),
        ("les personnes en situation d'itinérance", "people experiencing homelessness"),
        (
            "Personnes en situation d'itinérance ou à risque de l'être",
            "People experiencing or at risk of homelessness",
        ),
        (
            ("Hébergement de nuit", "Overnight shelter", ("refuges-itinerance",)),
            ("Repas chauds", "Hot meals", ("repas-communautaires",)),
            ("Hébergement d'urgence", "Emergency housing", ("hebergement-urgence",)),
            ("Aide à la recherche de logement", "Help finding housing", ("recherche-logement",)),
        ),
        ("always", "evening"),
        name_patterns=(("nom", 0.5), ("place", 0.3), ("saint", 0.2)),
    ),
    _Kind(
        5,
        (
            ("Comité logement", "Housing Committee"),
            ("Association des locataires", "Tenants' Association"),
            ("Bureau d'information logement", "Housing Help Centre"),
        ),
        ("les locataires", "tenants"),
        (
            "Locataires et personnes à la recherche d'un logement",
            "Tenants and people looking for housing",
        ),
        (
            (
                "Information sur les droits des locataires",
                "Tenants' rights information",
                ("droits-locataires",),
            ),
            ("Aide à la recherche de logement", "Help finding housing", ("recherche-logement",)),
            ("Aide au déménagement du 1er juillet", "Moving-day help", ("demenagement",)),
        ),
        ("office", "mon_thu"),
        name_patterns=(("place", 0.85), ("saint", 0.15)),
    ),
    _Kind(
        7,
        (
            ("Club de l'âge d'or", "Golden Age Club"),
            ("Association des aînés", "Seniors' Association"),
            ("Centre de jour pour aînés", "Seniors' Day Centre"),
            ("Carrefour des aînés", "Seniors' Centre"),
        ),
        ("les aînés", "seniors"),
        ("Personnes de 55 ans et plus", "People aged 55 and over"),
        (
            ("Activités et loisirs pour aînés", "Activities for seniors", ("aines",)),
            ("Répit pour proches aidants", "Respite for caregivers", ("repit-proches-aidants",)),
            ("Prévention de la maltraitance", "Elder abuse prevention", ("maltraitance-aines",)),
            (
                "Accompagnement aux rendez-vous médicaux",
                "Accompaniment to medical appointments",
                ("accompagnement-medical",),
            ),
            ("Aide à domicile", "Home help", ("aide-domicile",)),
        ),
        ("senior", "office"),
    ),
    _Kind(
        8,
        (
            ("Maison de la famille", "Family Resource Centre"),
            ("Carrefour familial", "Family Centre"),
            ("Halte-garderie", "Drop-in Daycare"),
        ),
        ("les familles avec de jeunes enfants", "families with young children"),
        ("Parents et enfants de 0 à 12 ans", "Parents and children aged 0 to 12"),
        (
            ("Halte-garderie", "Drop-in daycare", ("petite-enfance",)),
            (
                "Ateliers parents-enfants",
                "Parent-child workshops",
                ("petite-enfance", "groupes-soutien"),
            ),
            (
                "Comptoir de vêtements pour enfants",
                "Children's clothing bank",
                ("comptoirs-vestimentaires",),
            ),
            ("Aide aux devoirs", "Homework help", ("jeunes", "education")),
        ),
        ("office", "lunch", "mon_thu"),
    ),
    _Kind(
        6,
        (
            ("Maison des jeunes", "Youth Centre"),
            ("Carrefour jeunesse-emploi", "Youth Employment Centre"),
            ("Centre des jeunes", "Teen Drop-in"),
        ),
        ("les jeunes de 12 à 35 ans", "young people aged 12 to 35"),
        ("Jeunes de 12 à 35 ans", "Young people aged 12 to 35"),
        (
            ("Lieu de rencontre pour les jeunes", "Youth drop-in", ("jeunes",)),
            ("Aide à la recherche d'emploi", "Job search help", ("emploi",)),
            ("Raccrochage scolaire", "Back-to-school support", ("education", "jeunes")),
            ("Travail de rue", "Street outreach", ("jeunes",)),
        ),
        ("evening", "office"),
    ),
    _Kind(
        5,
        (
            ("Centre d'accueil et d'intégration des immigrants", "Immigrant Settlement Centre"),
            ("Service d'aide aux néo-Canadiens", "Newcomers' Help Service"),
            ("Carrefour d'intégration", "Welcome Centre for Newcomers"),
        ),
        ("les personnes immigrantes et réfugiées", "immigrants and refugees"),
        (
            "Personnes immigrantes, réfugiées et demandeuses d'asile",
            "Immigrants, refugees and asylum seekers",
        ),
        (
            ("Accueil et établissement", "Settlement services", ("accueil-immigrants",)),
            ("Cours de français", "French classes", ("francisation",)),
            ("Intégration en emploi", "Employment integration", ("emploi", "accueil-immigrants")),
            ("Clinique d'impôts", "Tax clinic", ("impots-budget",)),
        ),
        ("office", "lunch"),
        name_patterns=(("place", 0.7), ("nom", 0.3)),
    ),
    _Kind(
        5,
        (
            ("Groupe d'entraide en santé mentale", "Mental Health Support Network"),
            ("Centre de crise", "Crisis Centre"),
            ("Centre de prévention du suicide", "Suicide Prevention Centre"),
        ),
        (
            "les personnes vivant avec un problème de santé mentale et leurs proches",
            "people living with mental health problems and their families",
        ),
        (
            "Adultes vivant avec un problème de santé mentale, et leurs proches",
            "Adults living with mental health problems, and their families",
        ),
        (
            ("Écoute et soutien", "Listening and support", ("sante-mentale",)),
            (
                "Intervention en prévention du suicide",
                "Suicide prevention",
                ("prevention-suicide",),
            ),
            ("Groupes de soutien", "Support groups", ("groupes-soutien", "sante-mentale")),
            ("Intervention de crise", "Crisis intervention", ("sante-mentale",)),
        ),
        ("office", "always"),
    ),
    _Kind(
        2,
        (("Centre de thérapie", "Recovery House"), ("Maison de transition", "Halfway House")),
        ("les personnes aux prises avec une dépendance", "people living with an addiction"),
        (
            "Adultes aux prises avec une dépendance à l'alcool, aux drogues ou au jeu",
            "Adults with an alcohol, drug or gambling addiction",
        ),
        (
            ("Thérapie en dépendance", "Addiction treatment", ("dependances",)),
            ("Groupes de soutien", "Support groups", ("dependances", "groupes-soutien")),
        ),
        ("always", "office"),
        name_patterns=(("nom", 0.7), ("place", 0.3)),
    ),
    _Kind(
        3,
        (
            ("Clinique juridique", "Legal Clinic"),
            ("Centre de justice de proximité", "Community Justice Centre"),
        ),
        ("les personnes à faible revenu", "low-income people"),
        ("Personnes à faible revenu", "Low-income people"),
        (
            ("Consultations juridiques gratuites", "Free legal consultations", ("aide-juridique",)),
            (
                "Information sur le droit du logement",
                "Housing law information",
                ("droits-locataires", "aide-juridique"),
            ),
            ("Clinique d'impôts", "Tax clinic", ("impots-budget",)),
        ),
        ("office", "mon_thu"),
        name_patterns=(("place", 0.9), ("saint", 0.1)),
    ),
    _Kind(
        3,
        (
            ("Association coopérative d'économie familiale", "Family Budget Co-op"),
            ("Service budgétaire populaire", "Budget Counselling Service"),
            ("Clinique d'impôts", "Tax Clinic"),
        ),
        ("les ménages à faible ou modeste revenu", "low- and modest-income households"),
        ("Ménages à faible ou modeste revenu", "Low- and modest-income households"),
        (
            ("Clinique d'impôts", "Tax clinic", ("impots-budget",)),
            (
                "Aide financière d'urgence",
                "Emergency financial aid",
                ("aide-financiere-temporaire",),
            ),
            ("Consultation budgétaire", "Budget counselling", ("impots-budget",)),
        ),
        ("office", "lunch"),
        name_patterns=(("place", 0.9), ("saint", 0.1)),
    ),
    _Kind(
        4,
        (
            ("Association des personnes handicapées", "Disability Support Association"),
            ("Regroupement pour l'intégration sociale", "Social Integration Network"),
            ("Transport adapté", "Adapted Transport"),
        ),
        ("les personnes vivant avec un handicap", "people living with a disability"),
        (
            "Personnes vivant avec un handicap physique ou intellectuel",
            "People living with a physical or intellectual disability",
        ),
        (
            ("Loisirs adaptés", "Adapted recreation", ("handicap",)),
            ("Transport adapté", "Paratransit", ("transport-adapte",)),
            (
                "Répit pour les familles",
                "Respite for families",
                ("repit-proches-aidants", "handicap"),
            ),
        ),
        ("office", "senior"),
    ),
    _Kind(
        3,
        (
            ("Centre d'alphabétisation", "Literacy Council"),
            ("Centre d'éducation populaire", "Adult Learning Centre"),
        ),
        ("les adultes en démarche d'alphabétisation", "adults learning to read and write"),
        ("Adultes de 16 ans et plus", "Adults aged 16 and over"),
        (
            ("Ateliers d'alphabétisation", "Literacy workshops", ("education",)),
            ("Cours de français", "French classes", ("francisation",)),
            ("Initiation à l'informatique", "Computer basics", ("education",)),
        ),
        ("lunch", "mon_thu", "evening"),
    ),
    _Kind(
        4,
        (
            ("Ressourcerie", "Furniture Bank"),
            ("Comptoir vestimentaire", "Clothing Bank"),
            ("Friperie communautaire", "Thrift Shop"),
        ),
        ("toute la population", "everyone"),
        (
            "Tout le monde; prix réduits pour les personnes à faible revenu",
            "Everyone; reduced prices for low-income people",
        ),
        (
            ("Comptoir vestimentaire", "Clothing bank", ("comptoirs-vestimentaires",)),
            ("Cueillette de dons à domicile", "Home donation pickup", ("cueillette-dons",)),
            (
                "Meubles à petit prix",
                "Low-cost furniture",
                ("comptoirs-vestimentaires", "demenagement"),
            ),
        ),
        ("shop",),
    ),
    _Kind(
        4,
        (
            ("Coopérative de solidarité en aide à domicile", "Home Support Co-op"),
            ("Service d'aide à domicile", "Home Care Service"),
        ),
        (
            "les aînés et les personnes en perte d'autonomie",
            "seniors and people with reduced autonomy",
        ),
        ("Aînés et personnes en perte d'autonomie", "Seniors and people with reduced autonomy"),
        (
            ("Entretien ménager", "Housekeeping", ("aide-domicile",)),
            ("Déneigement résidentiel", "Residential snow removal", ("deneigement",)),
            ("Menus travaux", "Minor home repairs", ("menus-travaux",)),
            ("Répit à domicile", "In-home respite", ("repit-proches-aidants",)),
        ),
        ("office",),
        name_patterns=(("place", 0.8), ("nom", 0.2)),
        legal=(("cooperative", 0.8), ("nonprofit", 0.2)),
    ),
    _Kind(
        4,
        (
            ("Centre de femmes", "Women's Centre"),
            ("Centre d'aide aux victimes d'agression sexuelle", "Sexual Assault Centre"),
        ),
        ("les femmes", "women"),
        ("Femmes de 18 ans et plus", "Women aged 18 and over"),
        (
            ("Écoute et accompagnement", "Listening and accompaniment", ("groupes-soutien",)),
            (
                "Soutien aux victimes de violence",
                "Support for survivors of violence",
                ("violence-conjugale",),
            ),
            ("Ateliers et causeries", "Workshops and discussion groups", ("education",)),
        ),
        ("office", "lunch"),
    ),
    _Kind(
        3,
        (
            ("Service d'aide à l'emploi", "Employment Help Centre"),
            ("Club de recherche d'emploi", "Job Search Club"),
        ),
        ("les personnes en recherche d'emploi", "job seekers"),
        ("Personnes sans emploi ou en recherche d'emploi", "People looking for work"),
        (
            ("Aide à la recherche d'emploi", "Job search help", ("emploi",)),
            ("Rédaction de CV", "Résumé writing", ("emploi",)),
            (
                "Intégration en emploi des personnes immigrantes",
                "Employment help for immigrants",
                ("emploi", "accueil-immigrants"),
            ),
        ),
        ("office", "mon_thu"),
        name_patterns=(("place", 0.9), ("nom", 0.1)),
    ),
    _Kind(
        2,
        (
            ("Clinique communautaire", "Community Health Clinic"),
            ("Clinique de santé solidaire", "Solidarity Health Clinic"),
        ),
        ("les personnes sans médecin de famille", "people without a family doctor"),
        (
            "Personnes sans médecin de famille ou sans assurance maladie",
            "People without a family doctor or without health insurance",
        ),
        (
            ("Soins infirmiers", "Nursing care", ("soins-sante",)),
            ("Vaccination", "Vaccination", ("soins-sante",)),
            ("Consultations en santé mentale", "Mental health consultations", ("sante-mentale",)),
        ),
        ("office", "lunch"),
        name_patterns=(("place", 0.8), ("saint", 0.2)),
        legal=(("nonprofit", 0.6), ("public", 0.4)),
    ),
)

# fmt: off
NOMS_FR = (
    "L'Éclaircie", "La Passerelle", "L'Envolée", "La Traversée", "Le Tournesol", "La Relance",
    "Le Relais", "L'Oasis", "La Source", "L'Arc-en-ciel", "Le Havre", "La Boussole",
    "Le Carrefour", "La Ruche", "Le Grenier", "L'Entre-Deux", "La Marée", "Le Pont", "L'Élan",
    "La Clé", "L'Étape", "La Bouée", "Le Nid", "L'Alliance", "La Maisonnée", "Le Cerf-Volant",
    "L'Amarrage", "La Halte", "Le Sentier", "L'Aube", "La Grande Ourse", "Le Fil d'Ariane",
    "L'Ancre", "Le Tremplin", "L'Îlot", "La Bonne Étoile", "Le Rivage", "L'Horizon",
)
NOMS_EN = (
    "Open Door", "Lighthouse", "Harbour", "Compass", "Beacon", "Bridge", "Haven", "Sunrise",
    "Maple", "Crossroads", "Harvest", "Friendship", "Good Neighbour", "Cornerstone",
    "Northstar", "Riverside", "Hope", "Heritage", "Kindred", "Evergreen",
)
SAINTS = (
    "Saint-Jean", "Saint-Joseph", "Sainte-Marie", "Saint-Pierre", "Saint-Paul",
    "Sainte-Famille", "Saint-Vincent-de-Paul", "Notre-Dame", "Sainte-Anne", "Saint-Michel",
    "Saint-Louis", "Sainte-Cécile", "Saint-Jacques", "Saint-Antoine", "Saint-Édouard",
    "Saint-Charles", "Sainte-Rose", "Saint-François", "Saint-Luc", "Sainte-Brigide",
)
# fmt: on
MISSION_EXTRAS = (
    ("Nos services sont gratuits et confidentiels.", "Our services are free and confidential."),
    ("Des bénévoles sont toujours les bienvenus.", "Volunteers are always welcome."),
    ("Aucune référence n'est nécessaire.", "No referral is needed."),
    (
        "L'organisme est membre de la corporation de développement communautaire de son territoire.",
        "The organisation is a member of its local community development corporation.",
    ),
    ("Les locaux sont accessibles en fauteuil roulant.", "The premises are wheelchair accessible."),
    ("", ""),
)
DRAFT_CHANGES = (
    "Mise à jour proposée : ouverture le jeudi soir à compter de l'automne.",
    "Mise à jour proposée : le service de dépannage se fait maintenant sur rendez-vous.",
    "Mise à jour proposée : nouvelle adresse courriel pour les inscriptions.",
    "Mise à jour proposée : l'organisme dessert désormais tout le secteur.",
)

FEES = (
    ("Gratuit", "Free", 0.55),
    ("Contribution volontaire", "Voluntary contribution", 0.15),
    ("Carte de membre : 10 $ par année", "Membership: $10 a year", 0.15),
    ("Selon le revenu", "Sliding scale based on income", 0.1),
    ("5 $ par visite", "$5 per visit", 0.05),
)
FEE_WEIGHTS = list(accumulate(fee[2] for fee in FEES))
APPLICATION = (
    ("Téléphoner pour prendre rendez-vous.", "Call for an appointment."),
    ("Sans rendez-vous, pendant les heures d'ouverture.", "Walk in during opening hours."),
    (
        "Sur référence d'un CLSC ou d'un autre organisme.",
        "By referral from a CLSC or another organisation.",
    ),
    (
        "Remplir le formulaire d'inscription sur place ou en ligne.",
        "Fill in the registration form on site or online.",
    ),
)
LANGUAGES_FR = (
    ("fr", 0.5),
    ("fr, en", 0.35),
    ("fr, en, es", 0.06),
    ("fr, ar", 0.04),
    ("fr, en, es, ar", 0.03),
    ("fr, ht", 0.02),
)
LANGUAGES_EN = (
    ("en, fr", 0.6),
    ("en", 0.25),
    ("en, fr, it", 0.05),
    ("en, fr, zh", 0.05),
    ("en, fr, el", 0.05),
)

# fmt: off
STREETS_FR = (
    "rue Principale", "rue Notre-Dame", "rue Saint-Jean", "rue Saint-Louis", "rue de l'Église",
    "rue des Érables", "rue du Moulin", "boulevard Saint-Joseph", "rue Wellington",
    "rue Victoria", "avenue Laurier", "rue Champlain", "rue Cartier", "avenue des Pins",
    "avenue du Parc", "rue de la Gare", "rue Saint-Charles", "rue Sherbrooke", "rue Jean-Talon",
    "rue Bélanger", "rue Masson", "rue Ontario", "boulevard Lajeunesse",
    "boulevard Curé-Labelle", "boulevard des Laurentides", "boulevard Taschereau",
    "chemin de Chambly", "boulevard de la Concorde", "boulevard des Seigneurs",
    "chemin du Fleuve", "rue Saint-Pierre", "montée Masson", "chemin du Lac",
    "boulevard Industriel", "place du Marché", "rue King", "rue Centrale", "boulevard Lévesque",
)
STREETS_EN = (
    "Lakeshore Road", "Sherbrooke Street West", "Westminster Avenue", "Main Road", "Elm Avenue",
    "Victoria Avenue", "Sources Boulevard", "Saint-Jean Boulevard", "Cavendish Boulevard",
    "Beaconsfield Boulevard", "Somerset Road", "Monkland Avenue", "Sherbrooke Street",
    "Greene Avenue", "Queen Mary Road",
)
# fmt: on
UNITS = (
    ("bureau 100", "Suite 100"),
    ("bureau 201", "Suite 201"),
    ("local 3", "Room 3"),
    ("2e étage", "2nd floor"),
    ("bureau 310", "Suite 310"),
    ("local B", "Unit B"),
)
ACCESSIBILITY = (
    ("Accessible en fauteuil roulant.", "Wheelchair accessible."),
    (
        "Entrée avec quelques marches; sonnette à l'arrière.",
        "A few steps at the entrance; doorbell at the back.",
    ),
    ("Ascenseur; toilettes adaptées.", "Elevator; accessible washrooms."),
    ("", ""),
)

# fmt: off
FIRST_NAMES = (
    "Marie", "Julie", "Sophie", "Isabelle", "Nathalie", "Catherine", "Chantal", "Geneviève",
    "Mélanie", "Valérie", "Karine", "Annie", "Émilie", "Amélie", "Josée", "Sylvie", "Fatima",
    "Aïcha", "Mei", "Sarah", "Emily", "Jennifer", "Jean", "Pierre", "Luc", "Marc", "Michel",
    "Stéphane", "Martin", "François", "Sébastien", "Patrick", "Éric", "Alain", "Mathieu",
    "Simon", "Mohamed", "Karim", "David", "Michael", "Daniel", "Kevin", "Jean-Philippe",
    "Marie-Ève", "Anne-Marie", "Nadia", "Yasmine", "Lucas", "Olivier", "Rosalie",
)
LAST_NAMES = (
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin",
    "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette",
    "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier",
    "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Poulin", "Thibault", "St-Pierre", "Nadeau",
    "Martin", "Landry", "Hébert", "Desjardins", "Nguyen", "Haddad", "Khalil", "Diallo",
    "Joseph", "Jean-Baptiste", "Rossi", "Santos", "Singh", "Patel", "Chen", "Cohen", "Smith",
    "Murphy", "O'Brien", "MacDonald", "Ahmed", "Benali",
)
# fmt: on
TITLES = (
    ("Direction générale", "Executive Director"),
    ("Coordination", "Coordinator"),
    ("Responsable des communications", "Communications Officer"),
    ("Adjointe administrative", "Administrative Assistant"),
    ("Intervenante", "Caseworker"),
)
CONTACT_NOTES = (
    ("Préfère être jointe le matin.", "Prefers morning calls."),
    ("Absente le vendredi.", "Not in on Fridays."),
    ("Répond aussi aux courriels en fin de semaine.", "Also answers email on weekends."),
)
VERIFIERS = (
    "Nadia Curatrice",
    "Sophie Éditrice",
    "Marc-André Gauthier",
    "Fatou Diop",
    "Julie Tremblay",
    "Kevin O'Neil",
)

# Opening hours: (ISO weekdays, opens, closes, note (fr), note (en)).
WEEKDAYS = (1, 2, 3, 4, 5)
HOURS = {
    "office": ((WEEKDAYS, T(9), T(17), "", ""),),
    "office_830": ((WEEKDAYS, T(8, 30), T(16, 30), "", ""),),
    "lunch": ((WEEKDAYS, T(9), T(12), "", ""), (WEEKDAYS, T(13), T(16, 30), "", "")),
    "mon_thu": (((1, 2, 3, 4), T(9), T(16), "", ""), ((5,), T(9), T(12), "", "")),
    "evening": (((2, 3, 4), T(15), T(21), "", ""), ((5,), T(15), T(22), "", "")),
    "food": (
        ((1, 3), T(9), T(16), "Accueil et inscriptions", "Reception and registration"),
        ((2, 4), T(13), T(16), "Distribution alimentaire", "Food distribution"),
    ),
    "senior": ((WEEKDAYS, T(9, 30), T(15, 30), "", ""),),
    "shop": (((2, 3, 5, 6), T(10), T(17), "", ""), ((4,), T(10), T(20), "", "")),
    # Shelters and helplines: every day, midnight to 23:59 (closing must come after opening).
    "always": (((1, 2, 3, 4, 5, 6, 7), T(0), T(23, 59), "24 heures sur 24", "24 hours a day"),),
}


# --- Helpers --------------------------------------------------------------------------------------


@cache
def _cumulative(pairs: tuple[tuple, ...]) -> tuple[list, list[float]]:
    return [pair[0] for pair in pairs], list(accumulate(pair[-1] for pair in pairs))


def _weighted(rng: random.Random, pairs: tuple[tuple, ...]) -> object:
    """Pick the first item of one of ``(item, ..., weight)`` tuples, by weight."""
    items, cumulative = _cumulative(pairs)
    return rng.choices(items, cum_weights=cumulative)[0]


def _de(place: str) -> str:
    """French "of" before a place name: de Laval, d'Anjou, du Plateau-Mont-Royal, des Cèdres."""
    if place.startswith("Le "):
        return f"du {place[3:]}"
    if place.startswith("Les "):
        return f"des {place[4:]}"
    if place[0] in "AEIOUÉÈÎÔaeiouéèîô":
        return f"d'{place}"
    return f"de {place}"


def _without_article(place: str) -> str:
    """English drops the French article: "Le Plateau-Mont-Royal" -> "Plateau-Mont-Royal"."""
    for article in ("Le ", "La ", "Les ", "L'"):
        if place.startswith(article):
            return place[len(article) :]
    return place


# fmt: off
_SMALL_WORDS = {
    "de", "du", "des", "la", "le", "les", "l", "d", "et", "pour", "aux", "au", "en", "of", "the",
    "and",
}
# fmt: on


def _acronym(name: str) -> str:
    """Initials of the significant words: "Centre d'entraide Saint-Jean" -> "CESJ"."""
    words = name.replace("'", " ").replace("-", " ").split()
    return "".join(word[0] for word in words if word.lower() not in _SMALL_WORDS).upper()


def _domain(slug: str, name: str) -> str:
    """A website domain, under example.org: the slug, or the acronym when the slug is long, as
    organisations with long names do ("csadlpp" rather than "cooperative-de-solidarite-...")."""
    label = slug
    if len(slug) > 30:
        number = slug.rsplit("-", 1)[-1]
        label = slugify(_acronym(name)) + (number if number.isdigit() else "")
    return f"{label[:50] or 'organisme'}.example.org"


def _email_local(first: str, last: str) -> str:
    return f"{slugify(first)}.{slugify(last)}".replace("-", "")


# --- Reference data ---------------------------------------------------------------------------------


def _load_places(*, rng: random.Random) -> tuple[list[_Place], list[float], int]:
    """Municipalities (with their boroughs or districts) and their weights, and the region's id.

    The draws here (each place's postal areas) happen in slug order, so they are the same for
    the same seed whatever order the database returns rows in.
    """
    territories = {t.pk: t for t in Territory.objects.all()}
    by_slug = {t.slug: t for t in territories.values()}
    if REGION_SLUG not in by_slug:
        raise DemoDataError("The CMM territories are missing: run `manage.py migrate` first.")

    def sector_of(territory: Territory) -> Territory:
        node = territory
        while node is not None and node.kind != Territory.Kind.SECTOR:
            node = territories.get(node.parent_id)
        if node is None:
            raise DemoDataError(f"Territory {territory.slug} is not inside a sector.")
        return node

    def centre_of(territory: Territory) -> tuple[float, float]:
        node = territory
        while node is not None:
            if node.latitude is not None and node.longitude is not None:
                return (node.latitude, node.longitude)
            node = territories.get(node.parent_id)
        return (45.5, -73.6)  # no centre anywhere up the tree: the middle of the CMM

    def place(territory: Territory, municipality: Territory) -> _Place:
        sector = sector_of(territory)
        prefix = "H" if sector.slug in (MONTREAL_SECTOR, LAVAL_SECTOR) else "J"
        digits = FSA_DIGITS.get(sector.slug, "3456")
        fsas = tuple(f"{prefix}{rng.choice(digits)}{rng.choice(POSTAL_LETTERS)}" for _ in range(2))
        # The island has 514 and its overlay 438, the rest 450 and 579; the older codes still
        # hold most numbers.
        if sector.slug == MONTREAL_SECTOR:
            area_codes = ("514", "514", "438")
        else:
            area_codes = ("450", "450", "579")
        share = ENGLISH_SHARE.get(
            territory.slug,
            ENGLISH_SHARE.get(municipality.slug, DEFAULT_ENGLISH_SHARE.get(sector.slug, 0.04)),
        )
        return _Place(
            id=territory.pk,
            slug=territory.slug,
            name=territory.name,
            sector_id=sector.pk,
            municipality_id=municipality.pk,
            centre=centre_of(territory),
            fsas=fsas,
            area_codes=area_codes,
            english_share=share,
        )

    municipalities = sorted(
        (t for t in territories.values() if t.kind == Territory.Kind.MUNICIPALITY),
        key=lambda t: t.slug,
    )
    places, weights = [], []
    for municipality in municipalities:
        item = place(municipality, municipality)
        children = sorted(
            (
                t
                for t in territories.values()
                if t.parent_id == municipality.pk
                and t.kind in (Territory.Kind.BOROUGH, Territory.Kind.DISTRICT)
            ),
            key=lambda t: t.slug,
        )
        item.sub_places = [place(child, municipality) for child in children]
        places.append(item)
        weights.append(POPULATION.get(municipality.slug, DEFAULT_POPULATION))
    if not places:
        raise DemoDataError("No municipalities in the database: run `manage.py migrate` first.")
    return places, weights, by_slug[REGION_SLUG].pk


def _load_categories() -> tuple[dict[str, int], list[int]]:
    """Category ids by code, and the leaves (categories without children) to fall back on."""
    rows = list(Category.objects.values_list("pk", "code", "parent_id"))
    parents = {parent_id for _pk, _code, parent_id in rows if parent_id}
    by_code = {code: pk for pk, code, _parent in rows}
    leaves = sorted(pk for pk, _code, _parent in rows if pk not in parents)
    return by_code, leaves


# --- Generation -------------------------------------------------------------------------------------


class _Rows:
    """Makes model instances through the positional form of ``Model.__init__`` (the one Django's
    ``from_db`` uses), two to three times faster than keyword arguments, which counts over a few
    hundred thousand rows. Fields left out get their default, as with keywords."""

    _CALL = object()

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.names = frozenset(f.attname for f in fields)
        # Constant defaults are worked out once; callable ones (uuid4, now) on every row.
        self.defaults = [
            (f.attname, self._CALL if callable(f.default) else f.get_default()) for f in fields
        ]
        self.callables = [(i, f.attname, f) for i, f in enumerate(fields) if callable(f.default)]

    def __call__(self, **values):
        if not values.keys() <= self.names:
            raise TypeError(f"{self.model.__name__} has no {sorted(values.keys() - self.names)}")
        args = [values.get(name, default) for name, default in self.defaults]
        for position, name, model_field in self.callables:
            if name not in values:
                args[position] = model_field.get_default()
        return self.model(*args)


_organisation = _Rows(Organisation)
_service = _Rows(Service)
_location = _Rows(Location)


class _Table:
    """Inserts rows that nothing points to (hours, phones, contacts, join rows), given as dicts
    of attribute values, the fastest way each database allows (measured at 60,000 organisations).

    SQLite: one ``executemany`` per table. With ``bulk_create`` for these tables the seed took
    about 205 s instead of 140 s (DEBUG on): it spends some 6 microseconds of Python per value
    building 999-parameter statements, and with DEBUG on logs each of them with its parameters
    quoted. Values are prepared by their own field where sqlite3 needs it (UUIDs as hex, times as
    text), as Django would, and passed on unchanged otherwise.

    PostgreSQL: ``bulk_create``, whose UNNEST insert is about a third faster than
    ``executemany`` there.
    """

    # Types whose Python values sqlite3 does not take as they are.
    PREPARED_TYPES = {"UUIDField", "TimeField", "DateField", "DateTimeField", "DecimalField"}

    def __init__(self, model):
        self.model = model
        self.rows = _Rows(model)
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [
            (
                f.attname,
                None if callable(f.default) else f.get_default(),
                f if callable(f.default) else None,
                f if f.get_internal_type() in self.PREPARED_TYPES else None,
            )
            for f in fields
        ]
        quote = connection.ops.quote_name
        # Identifiers come from the model and are quoted by the backend; values are parameters.
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )

    def insert(self, rows: list[dict]) -> int:
        if not rows:
            return 0
        if connection.vendor != "sqlite":
            self.model.objects.bulk_create(
                [self.rows(**row) for row in rows], batch_size=BATCH_SIZE
            )
            return len(rows)
        if not rows[0].keys() <= self.rows.names:
            unknown = sorted(rows[0].keys() - self.rows.names)
            raise TypeError(f"{self.model.__name__} has no {unknown}")
        params = []
        for row in rows:
            values = []
            for name, default, default_field, prepare_field in self.columns:
                value = row.get(name, default)
                if default_field is not None and name not in row:
                    value = default_field.get_default()
                if prepare_field is not None:
                    value = prepare_field.get_db_prep_save(value, connection)
                values.append(value)
            params.append(values)
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)
        return len(rows)


@dataclass
class _Bundle:
    """One organisation and everything that belongs to it, before it has primary keys."""

    organisation: Organisation
    services: list[tuple[Service, list[int], list[int]]]  # service, category ids, territory ids
    locations: list[tuple[Location, list[dict]]]  # location, its opening hours
    # Rows for _Table, as attribute values.
    phones: list[dict]
    contacts: list[dict]
    identifiers: list[dict]


class _Generator:
    """Draws organisations one after another from one random stream."""

    def __init__(
        self,
        *,
        rng: random.Random,
        places: list[_Place],
        place_weights: list[float],
        region_id: int,
        categories: dict[str, int],
        leaf_categories: list[int],
        taken_slugs: set[str],
    ):
        self.rng = rng
        self.places = places
        self.place_weights = list(accumulate(place_weights))
        self.region_id = region_id
        self.categories = categories
        self.leaf_categories = leaf_categories
        self.taken_slugs = taken_slugs
        self.kind_weights = list(accumulate(k.weight for k in KINDS))
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.review_interval = timedelta(days=settings.REPERTOIRE_REVIEW_INTERVAL_DAYS)
        self.tz = timezone.get_current_timezone()

    # The random stream is drawn in a fixed order, field after field: changing the order of the
    # draws below changes every organisation generated after it for a given seed.

    def new_uuid(self) -> uuid.UUID:
        # From the seeded stream, not uuid4(): the same seed gives the same UUIDs.
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, day: date) -> datetime:
        """A time during office hours on ``day``, timezone-aware."""
        naive = datetime.combine(day, time(self.rng.randint(8, 16), self.rng.randrange(0, 60, 5)))
        return timezone.make_aware(naive, self.tz)

    def phone(self, area_codes: Sequence[str]) -> str:
        return f"+1{self.rng.choice(area_codes)}55501{self.rng.randrange(100):02d}"

    def unique_slug(self, name: str) -> str:
        # The same rule as Organisation.make_unique_slug, kept in memory instead of one query
        # per candidate.
        base = slugify(name)[:100] or "organisme"
        candidate, n = base, 2
        while candidate in self.taken_slugs:
            candidate, n = f"{base}-{n}", n + 1
        self.taken_slugs.add(candidate)
        return candidate

    def pick_place(self) -> tuple[_Place, _Place]:
        """A municipality by population, then often one of its boroughs or districts."""
        municipality = self.rng.choices(self.places, cum_weights=self.place_weights)[0]
        if municipality.sub_places and self.rng.random() < 0.8:
            return municipality, self.rng.choice(municipality.sub_places)
        return municipality, municipality

    def names(self, kind: _Kind, place: _Place, english: bool) -> tuple[str, str]:
        """The organisation's name in French and in English, built from the same parts."""
        rng = self.rng
        kind_fr, kind_en = rng.choice(kind.names)
        # A compound borough name is rarely used whole: "Côte-des-Neiges–Notre-Dame-de-Grâce"
        # gives organisations "de Côte-des-Neiges" and "de Notre-Dame-de-Grâce".
        label = rng.choice(place.name.split("–"))
        label_en = _without_article(label)
        pattern = _weighted(rng, kind.name_patterns)
        nom = rng.choice(NOMS_EN if english else NOMS_FR)
        if english and place.slug in WEST_ISLAND and rng.random() < 0.3:
            return f"{kind_fr} de l'Ouest-de-l'Île", f"West Island {kind_en}"
        if pattern == "nom":
            return f"{kind_fr} {nom}", f"{nom} {kind_en}"
        if pattern == "nom_place":
            return f"{kind_fr} {nom} {_de(label)}", f"{nom} {kind_en} of {label_en}"
        if pattern == "saint":
            saint = rng.choice(SAINTS)
            return f"{kind_fr} {saint}", f"{saint} {kind_en}"
        return f"{kind_fr} {_de(label)}", f"{label_en} {kind_en}"

    def organisation(self) -> _Bundle:
        rng = self.rng
        kind = rng.choices(KINDS, cum_weights=self.kind_weights)[0]
        municipality, home = self.pick_place()
        english = rng.random() < home.english_share
        name_fr, name_en = self.names(kind, home, english)
        name = name_en if english else name_fr
        other = name_fr if english else name_en
        roll = rng.random()
        alternate = other if roll < 0.35 else (_acronym(name) if roll < 0.5 else "")
        slug = self.unique_slug(name)
        domain = _domain(slug, name)
        founded = rng.randint(1965, 2022)
        place_fr = home.name.split("–")[0]
        place_en = _without_article(place_fr)

        offered = [kind.services[0]]
        extra = min(len(kind.services) - 1, _weighted(rng, ((0, 35), (1, 35), (2, 20), (3, 10))))
        offered += rng.sample(kind.services[1:], extra)

        extra_fr, extra_en = rng.choice(MISSION_EXTRAS)
        services_fr = ", ".join(s[0][0].lower() + s[0][1:] for s in offered)
        services_en = ", ".join(s[1][0].lower() + s[1][1:] for s in offered)
        if rng.random() < 0.5:
            intro_fr = f"Fondé en {founded}, l'organisme soutient {kind.public[0]} {_de(place_fr)}."
            intro_en = f"Founded in {founded}, we help {kind.public[1]} in {place_en}."
        else:
            intro_fr = (
                f"Organisme communautaire qui accompagne {kind.public[0]} {_de(place_fr)}"
                f" depuis {founded}."
            )
            intro_en = (
                f"A community organisation serving {kind.public[1]} in {place_en} since {founded}."
            )
        description_fr = f"{intro_fr} Services offerts : {services_fr}. {extra_fr}".strip()
        description_en = f"{intro_en} Services: {services_en}. {extra_en}".strip()
        if not english and rng.random() < 0.4:
            description_en = ""  # many French records have no English text yet
        elif english and rng.random() < 0.25:
            description_fr = ""

        # Review: most records verified some time in the last 18 months, some never.
        created_days = rng.randint(30, 3650)
        if rng.random() < 0.08:
            verified_at = None
            created_days = rng.randint(1, 700)
        else:
            verified_at = self.moment(
                self.today - timedelta(days=rng.randint(1, VERIFICATION_SPREAD_DAYS))
            )
        created_at = self.moment(self.today - timedelta(days=created_days))
        if verified_at is not None and created_at > verified_at:
            created_at = verified_at - timedelta(days=rng.randint(30, 900))
        interim = None
        if verified_at is not None and rng.random() < 0.15:
            interim = verified_at + timedelta(days=rng.randint(1, 120))
            interim = min(interim, self.now)

        legal = _weighted(rng, kind.legal)
        contacts = []
        language = "en" if english else "fr"
        for order in range(_weighted(rng, ((1, 70), (2, 25), (0, 5)))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            title_fr, title_en = rng.choice(TITLES)
            note = rng.choice(CONTACT_NOTES)[1 if english else 0] if rng.random() < 0.2 else ""
            contacts.append(
                dict(
                    uuid=self.new_uuid(),
                    sort_order=order,
                    name=f"{first} {last}",
                    title=title_en if english else title_fr,
                    email=f"{_email_local(first, last)}@{domain}",
                    phone=self.phone(home.area_codes),
                    note=note,
                )
            )
        # The contact for updating is usually one of the organisation's contacts.
        if contacts and rng.random() < 0.8:
            update_name = contacts[0]["name"]
            update_email = contacts[0]["email"]
            update_phone = contacts[0]["phone"]
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            update_name = f"{first} {last}"
            update_email = f"{_email_local(first, last)}@{domain}"
            update_phone = self.phone(home.area_codes)
        preferred = language if rng.random() < 0.9 else ("fr" if english else "en")

        organisation = _organisation(
            uuid=self.new_uuid(),
            name=name,
            alternate_name=alternate,
            slug=slug,
            description_fr=description_fr,
            description_en=description_en,
            email=f"info@{domain}" if rng.random() < 0.85 else "",
            website=f"https://{domain}/" if rng.random() < 0.7 else "",
            legal_status=legal,
            enterprise_number=f"11{rng.randrange(10**8):08d}" if rng.random() < 0.7 else "",
            charity_number=(f"{rng.randrange(10**8, 10**9)}RR0001" if legal == "charity" else ""),
            status="inactive" if rng.random() < 0.02 else "active",
            last_verified_at=verified_at,
            verified_by=rng.choice(VERIFIERS) if verified_at else "",
            next_review_due=(
                verified_at.astimezone(self.tz).date() + self.review_interval
                if verified_at
                else None
            ),
            last_interim_change_at=interim,
            update_contact_name=update_name,
            update_contact_email=update_email,
            update_contact_phone=update_phone,
            preferred_language=preferred,
            created_at=created_at,
            live=True,
            has_unpublished_changes=False,
            first_published_at=created_at,
            last_published_at=interim or verified_at or created_at,
        )

        locations = self.locations(kind, municipality, home, english, created_at)
        services = self.services(kind, offered, home, english)
        phones = self.phones(kind, home)
        identifiers = []
        if rng.random() < 0.08:
            identifiers.append(
                dict(
                    uuid=self.new_uuid(),
                    sort_order=0,
                    scheme=f"ville-{municipality.slug}"[:60],
                    identifier=f"ORG-{self.new_uuid().hex[:12].upper()}",
                )
            )
        return _Bundle(organisation, services, locations, phones, contacts, identifiers)

    def services(
        self, kind: _Kind, offered: list[tuple], home: _Place, english: bool
    ) -> list[tuple[Service, list[int], list[int]]]:
        rng = self.rng
        result = []
        label = home.name.split("–")[0]
        for order, (service_fr, service_en, codes) in enumerate(offered):
            categories = [self.categories[code] for code in codes if code in self.categories]
            if not categories and self.leaf_categories:
                categories = [rng.choice(self.leaf_categories)]
            # Where the service is offered: its own borough or municipality, often the whole
            # municipality, sometimes the whole sector or the whole CMM.
            areas = [home.id]
            if home.is_sub_area and rng.random() < 0.4:
                areas.append(home.municipality_id)
            roll = rng.random()
            if roll < 0.06:
                areas.append(self.region_id)
            elif roll < 0.26:
                areas.append(home.sector_id)
            status, status_since = "active", None
            roll = rng.random()
            if roll < 0.03:
                status = "temporarily closed"
                status_since = self.today - timedelta(days=rng.randint(1, 90))
            elif roll < 0.04:
                status = "inactive"
                status_since = self.today - timedelta(days=rng.randint(30, 365))
            fees = rng.choices(FEES, cum_weights=FEE_WEIGHTS)[0]
            application = rng.choice(APPLICATION)
            eligibility_fr = f"{kind.eligibility[0]}. Résidents {_de(label)} et des environs."
            eligibility_en = (
                f"{kind.eligibility[1]}. Residents of {_without_article(label)} and nearby."
            )
            confidential_fr = " Adresse confidentielle." if kind.confidential else ""
            confidential_en = " Confidential address." if kind.confidential else ""
            service = _service(
                uuid=self.new_uuid(),
                sort_order=order,
                name_fr=service_fr,
                name_en=service_en,
                description_fr=f"{service_fr} pour {kind.public[0]}.{confidential_fr}",
                description_en=f"{service_en} for {kind.public[1]}.{confidential_en}",
                eligibility_fr=eligibility_fr,
                eligibility_en=eligibility_en,
                fees_fr=fees[0],
                fees_en=fees[1],
                application_process_fr=application[0],
                application_process_en=application[1],
                languages=_weighted(rng, LANGUAGES_EN if english else LANGUAGES_FR),
                status=status,
                status_changed_at=status_since,
            )
            result.append((service, categories, list(dict.fromkeys(areas))))
        return result

    def locations(
        self, kind: _Kind, municipality: _Place, home: _Place, english: bool, created_at: datetime
    ) -> list[tuple[Location, list[dict]]]:
        rng = self.rng
        result = []
        count = _weighted(rng, ((1, 78), (2, 17), (3, 5)))
        for order in range(count):
            place = home
            if order > 0:
                # Other points of service are elsewhere in the same municipality.
                place = rng.choice(municipality.sub_places or [municipality])
            lat, lon = place.centre
            # About 1 km around the centre (0.009 degrees of latitude, 0.013 of longitude here).
            lat = round(lat + max(-3.0, min(3.0, rng.gauss(0, 1))) * 0.009, 6)
            lon = round(lon + max(-3.0, min(3.0, rng.gauss(0, 1))) * 0.013, 6)
            precision = _weighted(
                rng,
                (
                    ("rooftop", 75),
                    ("postal_code", 10),
                    ("municipality", 10),
                    ("failed", 3),
                    ("", 2),
                ),
            )
            if precision == "municipality":
                lat, lon = place.centre
            elif precision in ("failed", ""):
                lat = lon = None
            locked = precision == "rooftop" and rng.random() < 0.03
            if english:
                street = f"{rng.randint(10, 4999)} {rng.choice(STREETS_EN)}"
            else:
                street = f"{rng.randint(10, 9999)}, {rng.choice(STREETS_FR)}"
            unit = rng.choice(UNITS)[1 if english else 0] if rng.random() < 0.3 else ""
            postal = (
                f"{rng.choice(place.fsas)} {rng.randrange(10)}{rng.choice(POSTAL_LETTERS)}"
                f"{rng.randrange(10)}"
            )
            if order == 0:
                name = rng.choice(("", "", "Siège social", "Bureau principal"))
                if english and name:
                    name = "Main office"
            else:
                place_label = place.name.split("–")[0]
                name = (
                    f"{_without_article(place_label)} office"
                    if english
                    else f"Point de service {_de(place_label)}"
                )
            access = rng.choice(ACCESSIBILITY)
            location = _location(
                uuid=self.new_uuid(),
                sort_order=order,
                name=name,
                street_address=street,
                unit=unit,
                municipality_id=place.id,
                postal_code=postal,
                latitude=lat,
                longitude=lon,
                geocode_precision="manual" if locked else precision,
                geocode_source="demo" if precision else "",
                geocoded_at=created_at if precision else None,
                # Demo points count as geocoded for their address: `geocode --missing` leaves them.
                geocoded_address=(
                    address_key(street=street, postal_code=postal, municipality=municipality.name)
                    if lat is not None
                    else ""
                ),
                coordinates_locked=locked,
                address_is_confidential=kind.confidential,
                accessibility_fr=access[0],
                accessibility_en=access[1],
            )
            hours = []
            if rng.random() < 0.9:  # some records have no hours yet
                pattern = rng.choice(kind.hours)
                if pattern == "office" and rng.random() < 0.3:
                    pattern = "office_830"
                slots = sorted(
                    (day, opens, closes, note_fr, note_en)
                    for days, opens, closes, note_fr, note_en in HOURS[pattern]
                    for day in days
                )
                hours = [
                    dict(
                        uuid=self.new_uuid(),
                        sort_order=order,
                        weekday=day,
                        opens=opens,
                        closes=closes,
                        note_fr=note_fr,
                        note_en=note_en,
                    )
                    for order, (day, opens, closes, note_fr, note_en) in enumerate(slots)
                ]
            result.append((location, hours))
        return result

    def phones(self, kind: _Kind, home: _Place) -> list[dict]:
        rng = self.rng
        helpline = "always" in kind.hours
        phones = [
            dict(
                uuid=self.new_uuid(),
                sort_order=0,
                number=self.phone(home.area_codes),
                kind="voice",
                label_fr="Ligne d'écoute 24/7" if helpline else "Accueil",
                label_en="24/7 helpline" if helpline else "Reception",
            )
        ]
        extras = (
            ("voice", 0.15, "Administration", "Administration"),
            ("fax", 0.2, "Télécopieur", "Fax"),
            ("toll_free", 0.06, "Sans frais", "Toll-free"),
            ("text", 0.04, "Texto", "Text"),
            ("tty", 0.02, "ATS", "TTY"),
        )
        for phone_kind, chance, label_fr, label_en in extras:
            if rng.random() >= chance:
                continue
            area = (
                (rng.choice(("800", "855", "866", "877", "888")),)
                if phone_kind == "toll_free"
                else home.area_codes
            )
            phones.append(
                dict(
                    uuid=self.new_uuid(),
                    sort_order=len(phones),
                    number=self.phone(area),
                    extension=str(rng.randint(100, 299)) if phone_kind == "voice" else "",
                    kind=phone_kind,
                    label_fr=label_fr,
                    label_en=label_en,
                )
            )
        return phones


# --- Writing ----------------------------------------------------------------------------------------


def _leaf_tables() -> dict[str, _Table]:
    return {
        "hours": _Table(OpeningHours),
        "phones": _Table(Phone),
        "contacts": _Table(Contact),
        "identifiers": _Table(OrganisationIdentifier),
        # The join tables behind the ParentalManyToManyFields, written directly: going through
        # the fields would mean one save, and one query per relation, for every service.
        "category_links": _Table(Service.categories.through),
        "area_links": _Table(Service.service_areas.through),
    }


def _write(bundles: list[_Bundle], *, tables: dict[str, _Table], counts: dict[str, int]) -> None:
    """Insert one chunk: parents first, so that each child gets its parent's new primary key."""
    Organisation.objects.bulk_create([b.organisation for b in bundles], batch_size=BATCH_SIZE)
    services, locations = [], []
    leaves = {name: [] for name in tables}
    for bundle in bundles:
        pk = bundle.organisation.pk
        for service, _categories, _areas in bundle.services:
            service.organisation_id = pk
            services.append(service)
        for location, _hours in bundle.locations:
            location.organisation_id = pk
            locations.append(location)
        for name in ("phones", "contacts", "identifiers"):
            for row in getattr(bundle, name):
                row["organisation_id"] = pk
                leaves[name].append(row)
    Service.objects.bulk_create(services, batch_size=BATCH_SIZE)
    Location.objects.bulk_create(locations, batch_size=BATCH_SIZE)

    for bundle in bundles:
        for location, hours in bundle.locations:
            for row in hours:
                row["location_id"] = location.pk
                leaves["hours"].append(row)
        for service, categories, areas in bundle.services:
            leaves["category_links"] += [
                {"service_id": service.pk, "category_id": category_id} for category_id in categories
            ]
            leaves["area_links"] += [
                {"service_id": service.pk, "territory_id": territory_id} for territory_id in areas
            ]
    for name, table in tables.items():
        counts[name] += table.insert(leaves[name])
    counts["organisations"] += len(bundles)
    counts["services"] += len(services)
    counts["locations"] += len(locations)


def _index(organisations: list[Organisation]) -> None:
    """Add new rows to every search backend that saves would have updated (bulk_create skips the
    post_save signal that normally does it), in one bulk call per backend."""
    from wagtail.search.backends import get_search_backends

    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(Organisation, organisations)


def _start_drafts(
    *, rng: random.Random, candidates: list[int], count: int, out: Callable[[str], None]
) -> int:
    """Give ``count`` organisations a draft with a changed description, in review.

    Wagtail sends the workflow's notification emails synchronously, one batch per workflow
    started (DESIGN.md, "Known pitfalls"), which is why this stays a handful of records.
    """
    chosen = rng.sample(candidates, min(count, len(candidates)))
    changes = [rng.choice(DRAFT_CHANGES) for _ in chosen]
    records = Organisation.objects.in_bulk(chosen)
    workflow = records[chosen[0]].get_workflow() if chosen else None
    if workflow is None:
        if chosen:
            out("No workflow is attached to organisations: no drafts made.")
        return 0
    with (
        transaction.atomic(),
        audited(
            comment="Demo drafts submitted for review",
            source=AuditSource.Source.COMMAND,
            reference="seed_demo",
        ),
    ):
        for pk, change in zip(chosen, changes, strict=True):
            organisation = records[pk]
            # Only the revision gets the new text: for a live snippet, saving a revision leaves
            # the table row, which is the public version, as it was.
            organisation.description_fr = f"{organisation.description_fr} {change}".strip()
            organisation.save_revision(user=None, log_action=True)
            workflow.start(organisation, user=None)
    return len(chosen)


@contextmanager
def _large_sqlite_cache() -> Iterator[None]:
    """SQLite's default page cache (2 MB) is far smaller than the unique indexes on random UUIDs
    that a large seed builds; inserts slow down by half once they stop fitting. The setting is
    the connection's own and is put back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def default_drafts(organisations: int) -> int:
    """About 1% of the organisations, at most 30: each one sends workflow notifications."""
    return min(30, math.ceil(organisations / 100))


def demo_seed(
    *,
    organisations: int,
    seed: int,
    drafts: int,
    index: bool,
    stdout: TextIO | None = None,
) -> dict[str, int | float]:
    """Create ``organisations`` live demo records with all their children; return the counts.

    ``drafts`` of them also get a draft revision in the editorial workflow. With ``index``, the
    new records are added to Wagtail's search index (the admin search) in bulk.
    """

    def out(line: str) -> None:
        if stdout is not None:
            stdout.write(line + "\n")

    started = clock.perf_counter()
    if organisations < 0 or drafts < 0:
        raise ValueError("The numbers of organisations and drafts cannot be negative.")
    if not connection.features.can_return_rows_from_bulk_insert:
        # Children are linked to their parents through the primary keys bulk_create returns.
        raise DemoDataError(f"{connection.vendor} does not return primary keys from bulk inserts.")

    existing = Organisation.objects.count()
    # On an empty database the data depend on the seed alone. Added to existing records, the
    # stream also depends on how many there are, so that a second run with the same seed draws
    # new UUIDs instead of the ones it inserted the first time (they are unique).
    rng = random.Random(seed if existing == 0 else f"{seed}/{existing}")
    places, weights, region_id = _load_places(rng=rng)
    categories, leaves = _load_categories()
    generator = _Generator(
        rng=rng,
        places=places,
        place_weights=weights,
        region_id=region_id,
        categories=categories,
        leaf_categories=leaves,
        taken_slugs=set(Organisation.objects.values_list("slug", flat=True)),
    )

    counts = dict.fromkeys(
        ROW_KINDS,
        0,
    )
    tables = _leaf_tables()
    index_seconds = 0.0
    candidates: list[int] = []
    created_ids: list[int] = []
    next_report = 10_000
    with _large_sqlite_cache(), transaction.atomic():
        for start in range(0, organisations, CHUNK_SIZE):
            size = min(CHUNK_SIZE, organisations - start)
            bundles = [generator.organisation() for _ in range(size)]
            _write(bundles, tables=tables, counts=counts)
            created = [bundle.organisation for bundle in bundles]
            if index:
                index_started = clock.perf_counter()
                _index(created)
                index_seconds += clock.perf_counter() - index_started
            candidates += [o.pk for o in created if o.status == Organisation.Status.ACTIVE]
            created_ids += [o.pk for o in created]
            if counts["organisations"] >= next_report:
                elapsed = clock.perf_counter() - started
                out(f"  {counts['organisations']:>7,} organisations ({elapsed:.1f} s)")
                next_report += 10_000
    insert_seconds = clock.perf_counter() - started
    search_started = clock.perf_counter()
    search_index_rebuild()  # the public search's own index, always: it is the directory
    counts["search_index_seconds"] = round(clock.perf_counter() - search_started, 2)

    # Wagtail compares a draft with the live version through the live revision: every demo
    # record gets one, dated at its creation, before any draft (organisations/revisions.py).
    revisions_started = clock.perf_counter()
    counts["revisions"] = live_revisions_ensure(organisation_ids=created_ids)
    counts["revision_seconds"] = round(clock.perf_counter() - revisions_started, 2)
    counts["drafts"] = _start_drafts(rng=rng, candidates=candidates, count=drafts, out=out)
    counts["existing"] = existing
    counts["insert_seconds"] = round(insert_seconds - index_seconds, 2)
    counts["index_seconds"] = round(index_seconds, 2) if index else 0.0
    counts["seconds"] = round(clock.perf_counter() - started, 2)
    return counts
