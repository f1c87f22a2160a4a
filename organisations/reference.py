"""Reference data: the CMM territory and the tree of needs.

The loaders take the model classes as arguments so that a data migration can call them with its
historical models and ``manage.py load_reference_data`` with the real ones. Both upsert by slug
or code: running them again changes nothing that is already right.
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

REGION = {
    "slug": "cmm",
    "name": "Communauté métropolitaine de Montréal",
    "name_en": "Montréal Metropolitan Community",
}

# CMM sectors, as the 211 of Greater Montréal reports them.
SECTORS = {
    "Agglomération de Montréal": ("secteur-agglomeration-de-montreal", "Montréal agglomeration"),
    "Laval": ("secteur-laval", "Laval"),
    "Agglomération de Longueuil": ("secteur-agglomeration-de-longueuil", "Longueuil agglomeration"),
    "Couronne Nord": ("secteur-couronne-nord", "North Shore (Couronne Nord)"),
    "Couronne Sud": ("secteur-couronne-sud", "South Shore (Couronne Sud)"),
}

SUB_AREA_KINDS = {"arrondissement": "borough", "secteur": "district"}


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def load_territories(Territory) -> int:
    """Load the region, its 5 sectors, 82 municipalities and 36 boroughs or districts."""
    count = 0

    def upsert(slug, **fields):
        nonlocal count
        obj, _created = Territory.objects.update_or_create(slug=slug, defaults=fields)
        count += 1
        return obj

    region = upsert(
        REGION["slug"], name=REGION["name"], name_en=REGION["name_en"], kind="region", parent=None
    )
    sectors = {
        name: upsert(slug, name=name, name_en=name_en, kind="sector", parent=region)
        for name, (slug, name_en) in SECTORS.items()
    }
    municipalities = {}
    with open(DATA_DIR / "cmm_municipalities.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            municipalities[row["name"]] = upsert(
                row["slug"],
                name=row["name"],
                name_en="",
                kind="municipality",
                parent=sectors[row["sector"]],
                mrc=row["mrc"],
                geographic_code=row["geographic_code"],
                latitude=_float(row["latitude"]),
                longitude=_float(row["longitude"]),
                coord_source=row["coord_source"],
            )
    with open(DATA_DIR / "sub_areas.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            upsert(
                row["slug"],
                name=row["name"],
                name_en="",
                kind=SUB_AREA_KINDS[row["kind"]],
                parent=municipalities[row["parent_municipality"]],
                latitude=_float(row["latitude"]),
                longitude=_float(row["longitude"]),
                coord_source=row["coord_source"],
            )
    return count


# The tree of needs: (code, French, English, children). Covers the needs the 211 of Greater
# Montréal reports most often unmet (transport-accompaniment, movers, home help, homeless shelters,
# donation pickup, snow removal, temporary financial aid, food aid, respite, support groups).
CATEGORIES = [
    (
        "aide-alimentaire",
        "Aide alimentaire",
        "Food aid",
        [
            (
                "banques-alimentaires",
                "Banques alimentaires et dépannage",
                "Food banks and emergency food",
            ),
            ("popote-roulante", "Popote roulante", "Meals on wheels"),
            ("cuisines-collectives", "Cuisines collectives", "Community kitchens"),
            ("repas-communautaires", "Repas communautaires", "Community meals"),
        ],
    ),
    (
        "logement-hebergement",
        "Logement et hébergement",
        "Housing and shelters",
        [
            (
                "refuges-itinerance",
                "Refuges pour personnes en situation d'itinérance",
                "Homeless shelters",
            ),
            ("hebergement-urgence", "Hébergement d'urgence", "Emergency housing"),
            ("recherche-logement", "Aide à la recherche de logement", "Help finding housing"),
            ("droits-locataires", "Droits des locataires", "Tenants' rights"),
        ],
    ),
    (
        "aide-domicile-repit",
        "Aide à domicile et répit",
        "Home help and respite care",
        [
            ("aide-domicile", "Aide à domicile", "Home help"),
            ("repit-proches-aidants", "Répit pour proches aidants", "Respite for caregivers"),
        ],
    ),
    (
        "transport-accompagnement",
        "Transport et accompagnement",
        "Transport and accompaniment",
        [
            (
                "accompagnement-medical",
                "Accompagnement-transport médical",
                "Medical transport and accompaniment",
            ),
            ("transport-adapte", "Transport adapté", "Paratransit"),
        ],
    ),
    ("demenagement", "Aide au déménagement", "Moving help", []),
    (
        "aide-financiere",
        "Aide financière et revenu",
        "Financial aid and income",
        [
            ("aide-financiere-temporaire", "Aide financière temporaire", "Temporary financial aid"),
            ("impots-budget", "Impôts et budget", "Tax clinics and budgeting"),
        ],
    ),
    (
        "sante",
        "Santé et santé mentale",
        "Health and mental health",
        [
            ("sante-mentale", "Santé mentale", "Mental health"),
            ("prevention-suicide", "Prévention du suicide", "Suicide prevention"),
            ("soins-sante", "Soins de santé", "Health care"),
        ],
    ),
    ("dependances", "Dépendances", "Addictions", []),
    (
        "violence",
        "Violence et abus",
        "Violence and abuse",
        [
            ("violence-conjugale", "Violence conjugale", "Domestic violence"),
            ("maltraitance-aines", "Maltraitance envers les aînés", "Elder abuse"),
        ],
    ),
    ("aide-juridique", "Aide juridique", "Legal aid", []),
    ("emploi", "Emploi", "Employment", []),
    (
        "immigration",
        "Immigration et nouveaux arrivants",
        "Immigration and newcomers",
        [
            ("francisation", "Francisation", "French classes"),
            ("accueil-immigrants", "Accueil et intégration", "Settlement services"),
        ],
    ),
    ("aines", "Aînés", "Seniors", []),
    (
        "jeunesse-famille",
        "Jeunesse et familles",
        "Youth and families",
        [
            ("petite-enfance", "Petite enfance", "Early childhood"),
            ("jeunes", "Jeunes", "Youth"),
        ],
    ),
    ("handicap", "Handicap", "Disability", []),
    ("education", "Éducation et alphabétisation", "Education and literacy", []),
    ("groupes-soutien", "Groupes de soutien", "Support groups", []),
    (
        "entretien-domicile",
        "Déneigement et entretien de la maison",
        "Snow removal and home maintenance",
        [
            ("deneigement", "Déneigement résidentiel", "Residential snow removal"),
            ("menus-travaux", "Menus travaux", "Minor home repairs"),
        ],
    ),
    (
        "dons",
        "Dons (donner et cueillette)",
        "Donations (giving and pickup)",
        [
            ("cueillette-dons", "Cueillette de dons à domicile", "Home donation pickup"),
            (
                "comptoirs-vestimentaires",
                "Comptoirs vestimentaires et meubles",
                "Clothing and furniture banks",
            ),
        ],
    ),
]


def load_categories(Category) -> int:
    count = 0
    for order, (code, name_fr, name_en, children) in enumerate(CATEGORIES):
        parent, _created = Category.objects.update_or_create(
            code=code,
            defaults={"name_fr": name_fr, "name_en": name_en, "parent": None, "sort_order": order},
        )
        count += 1
        for child_order, (child_code, child_fr, child_en) in enumerate(children):
            Category.objects.update_or_create(
                code=child_code,
                defaults={
                    "name_fr": child_fr,
                    "name_en": child_en,
                    "parent": parent,
                    "sort_order": child_order,
                },
            )
            count += 1
    return count
