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
    # The other names came later (migration 0012): the migration that first loads the territory
    # has a model without them, and that migration gives them.
    if any(field.name == "aliases" for field in Territory._meta.get_fields()):
        load_aliases(Territory)
    return count


# What people call places besides their official names, as the public search reads them in the
# words typed (organisations/search_places.py; comma-separated, any case and accents). Only names
# that point at one place: « Mercier » is the municipality, not Mercier–Hochelaga-Maisonneuve;
# « Saint-Michel » names parishes and charities as much as the district; « Rive-Sud » and « West
# Island » cover several municipalities that no territory groups. A name starting with an article
# is also found without it (« Plateau-Mont-Royal », « Vieux-Longueuil »), and « St-» is « Saint-».
# Curators edit them in the admin (Territories); loading fills only the territories that have none.
ALIASES = {
    "cmm": "CMM, Grand Montréal, Greater Montreal, Montréal métropolitain",
    "montreal": "MTL",
    "montreal-nord": "Montreal North, MTL-Nord",
    "montreal-est": "Montreal East",
    "montreal-ouest": "Montreal West",
    "mont-royal": "Ville de Mont-Royal, Ville Mont-Royal, VMR, TMR, Town of Mount Royal",
    "dollard-des-ormeaux": "DDO",
    "saint-bruno-de-montarville": "Saint-Bruno",
    "le-vieux-longueuil": "Vieux-Longueuil",
    "cote-des-neiges-notre-dame-de-grace": (
        "CDN, NDG, CDN-NDG, Côte-des-Neiges, Notre-Dame-de-Grâce"
    ),
    "mercier-hochelaga-maisonneuve": (
        "HoMa, Hochelag, Hochelaga, Hochelaga-Maisonneuve, MHM, Mercier-Est, Mercier-Ouest"
    ),
    "le-plateau-mont-royal": "Plateau, Le Plateau, Mile End",
    "riviere-des-prairies-pointe-aux-trembles": (
        "RDP, PAT, RDP-PAT, Rivière-des-Prairies, Pointe-aux-Trembles"
    ),
    "rosemont-la-petite-patrie": "Rosemont, La Petite-Patrie, Petite-Patrie",
    "villeray-saint-michel-parc-extension": "Villeray, Parc-Extension, Parc-Ex",
    "ahuntsic-cartierville": "Ahuntsic, Cartierville",
    "pierrefonds-roxboro": "Pierrefonds, Roxboro",
    "l-ile-bizard-sainte-genevieve": "L'Île-Bizard, Île-Bizard, Sainte-Geneviève",
    "le-sud-ouest": (
        "Sud-Ouest, Saint-Henri, Pointe-Saint-Charles, Petite-Bourgogne, Griffintown, "
        "Ville-Émard, Côte-Saint-Paul"
    ),
    "ville-marie": "Centre-Sud, Vieux-Montréal, Old Montreal",
}


def load_aliases(Territory) -> int:
    """Give each territory of ``ALIASES`` its other names, where it has none (a curator's own are
    never replaced). Returns how many territories were given other names."""
    count = 0
    for slug, aliases in ALIASES.items():
        count += Territory.objects.filter(slug=slug, aliases="").update(aliases=aliases)
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
    # The keywords came later (migration 0011): the migration that first loads the tree has a
    # model without them, and that migration gives them.
    if any(field.name == "keywords_fr" for field in Category._meta.get_fields()):
        load_keywords(Category)
    return count


# What people call each need, as a curator would write it for the search (comma-separated, both
# languages): synonyms, everyday words, words of the street, common misspellings. The public search
# finds an organisation by the names and keywords of the needs it serves and of the families above
# them. Curators edit them in the admin (Needs); loading fills only the needs that have none.
KEYWORDS = {
    "aide-alimentaire": (
        "nourriture, manger, alimentation, aliments, bouffe, faim, épicerie, dépannage, "
        "dépannage alimentaire, sécurité alimentaire, panier de nourriture, frigo communautaire, "
        "frigo partagé, nouriture, alimantaire",
        "food, eat, eating, groceries, grocery, hunger, hungry, food security, food bank, "
        "pantry, community fridge, free food",
    ),
    "banques-alimentaires": (
        "banque alimentaire, comptoir alimentaire, dépannage, panier de provisions, paniers de "
        "Noël, épicerie gratuite, épicerie solidaire, magasin-partage, frigo communautaire, bons "
        "d'achat",
        "food bank, food pantry, emergency food, food basket, food hamper, Christmas basket, "
        "free groceries, community fridge, grocery vouchers",
    ),
    "popote-roulante": (
        "popote, popotte, repas livrés, livraison de repas, repas à domicile, repas congelés, "
        "plats cuisinés, popote roulente",
        "meals on wheels, meal delivery, delivered meals, frozen meals, home-delivered meals, "
        "ready meals",
    ),
    "cuisines-collectives": (
        "cuisine collective, cuisiner ensemble, atelier de cuisine, cuisine communautaire, "
        "cuisines communautaires, groupe de cuisine",
        "community kitchen, collective kitchen, cooking group, cooking together, cooking workshop",
    ),
    "repas-communautaires": (
        "repas, dîner, souper, déjeuner, repas chaud, repas gratuit, soupe populaire, cantine, "
        "manger ensemble",
        "meal, meals, free meal, hot meal, soup kitchen, lunch, dinner, breakfast",
    ),
    "logement-hebergement": (
        "logement, loyer, appartement, logis, HLM, logement social, logement abordable, "
        "coopérative d'habitation, habitation, hébergement, se loger, logment",
        "housing, apartment, rent, social housing, affordable housing, shelter, accommodation, "
        "lodging, place to live",
    ),
    "refuges-itinerance": (
        "itinérance, itinérant, itinérante, sans-abri, sans abri, sans domicile fixe, SDF, "
        "refuge, dormir, halte-chaleur, halte-accueil, mission, personnes de la rue, itinerence",
        "homeless, homelessness, shelter, homeless shelter, night shelter, sleeping rough, "
        "warming centre, drop-in centre, unhoused",
    ),
    "hebergement-urgence": (
        "hébergement d'urgence, hébergement temporaire, maison d'hébergement, hébergement de "
        "crise, où dormir, dormir ce soir, hebergement",
        "emergency shelter, emergency housing, temporary housing, crisis housing, transitional "
        "housing, place to stay, somewhere to sleep",
    ),
    "recherche-logement": (
        "trouver un logement, chercher un logement, recherche de logement, appartement à louer, "
        "logement abordable, logement social, HLM, coop d'habitation, 1er juillet, premier "
        "juillet, sans logis",
        "find housing, find an apartment, apartment hunting, housing search, affordable housing, "
        "social housing, apartment for rent, moving day",
    ),
    "droits-locataires": (
        "locataire, bail, propriétaire, hausse de loyer, augmentation de loyer, éviction, "
        "expulsion, reprise de logement, insalubrité, moisissure, punaises de lit, comité "
        "logement, Tribunal administratif du logement, TAL, Régie du logement",
        "tenant, tenants, lease, landlord, rent increase, eviction, renoviction, mould, mold, "
        "bed bugs, housing committee, tenants association, rental board",
    ),
    "aide-domicile-repit": (
        "maintien à domicile, soutien à domicile, services à domicile, répit, proche aidant, "
        "aidant naturel, aide ménagère, perte d'autonomie",
        "home care, home support, aging at home, caregiver, respite, housekeeping, "
        "loss of autonomy",
    ),
    "aide-domicile": (
        "aide ménagère, ménage, entretien ménager, soins à domicile, soutien à domicile, maintien "
        "à domicile, préposé, préposée, courses, commissions, épicerie livrée, perte d'autonomie",
        "home help, housekeeping, cleaning, home care, home support, personal care, errands, "
        "grocery delivery, homemaker",
    ),
    "repit-proches-aidants": (
        "répit, proche aidant, proches aidants, aidant naturel, aidante naturelle, gardiennage, "
        "halte-répit, baluchonnage, épuisement, repi",
        "respite, respite care, caregiver, caregivers, family caregiver, caregiver burnout, "
        "day program, sitting service",
    ),
    "transport-accompagnement": (
        "transport, accompagnement, chauffeur, chauffeur bénévole, rendez-vous, déplacement, "
        "navette, se déplacer, accompagnateur",
        "transportation, transport, ride, rides, driver, escort, shuttle, getting around",
    ),
    "accompagnement-medical": (
        "transport médical, accompagnement médical, accompagnement-transport, rendez-vous "
        "médical, hôpital, clinique, CLSC, chauffeur bénévole, accompagnement aux rendez-vous",
        "medical transportation, medical appointment, ride to hospital, hospital, medical escort, "
        "volunteer driver, accompaniment",
    ),
    "transport-adapte": (
        "transport adapté, fauteuil roulant, mobilité réduite, minibus adapté, taxi adapté, "
        "STM transport adapté",
        "paratransit, adapted transport, accessible transportation, wheelchair transport, "
        "reduced mobility, accessible taxi",
    ),
    "demenagement": (
        "déménagement, déménager, déménageurs, camion, boîtes, 1er juillet, premier juillet, "
        "déménagement à petit prix, démenagement, déménagment",
        "moving, movers, move, moving day, moving truck, moving boxes, relocation, relocating",
    ),
    "aide-financiere": (
        "argent, revenu, aide sociale, bien-être social, dettes, budget, pauvreté, faible "
        "revenu, prestations, fin de mois",
        "money, income, welfare, social assistance, debt, budget, poverty, low income, benefits",
    ),
    "aide-financiere-temporaire": (
        "aide d'urgence, dépannage financier, prêt, microcrédit, factures, payer le loyer, aide "
        "ponctuelle, bons d'achat, fonds d'urgence",
        "emergency financial aid, emergency money, emergency fund, loan, microloan, bills, "
        "pay rent, one-time help, vouchers",
    ),
    "impots-budget": (
        "impôt, impôts, déclaration de revenus, rapport d'impôt, clinique d'impôts, budget, "
        "dettes, ACEF, consultation budgétaire, crédit, endettement, clinique d'impôts "
        "gratuite, impot",
        "tax, taxes, tax return, income tax, tax clinic, free tax clinic, budget, budgeting, "
        "debt, credit counselling",
    ),
    "sante": (
        "santé, soins, médecin, infirmière, CLSC, clinique, bien-être, malade, maladie",
        "health, healthcare, doctor, nurse, clinic, wellness, wellbeing, sick, illness",
    ),
    "sante-mentale": (
        "santé mentale, détresse, anxiété, dépression, déprime, angoisse, stress, burn-out, "
        "épuisement, psychologue, écoute, ligne d'écoute, deuil, solitude, psychiatrie, "
        "depresion",
        "mental health, distress, anxiety, depression, depressed, stress, burnout, psychologist, "
        "therapy, counselling, counseling, helpline, grief, loneliness, psychiatric",
    ),
    "prevention-suicide": (
        "suicide, idées suicidaires, idées noires, se suicider, détresse, ligne d'écoute, "
        "crise, deuil par suicide, 1 866 APPELLE",
        "suicide, suicidal, suicidal thoughts, crisis, crisis line, distress, suicide "
        "bereavement, suicide prevention",
    ),
    "soins-sante": (
        "soins, médecin, infirmière, clinique, clinique médicale, dentiste, soins dentaires, "
        "vaccination, vaccin, pharmacie, médicaments, CLSC, santé physique",
        "health care, doctor, nurse, clinic, medical clinic, dentist, dental care, vaccine, "
        "vaccination, medication, pharmacy",
    ),
    "dependances": (
        "dépendance, toxicomanie, toxico, drogue, drogues, alcool, alcoolisme, jeu compulsif, "
        "jeu pathologique, cannabis, opioïdes, désintox, désintoxication, thérapie, réduction "
        "des méfaits, seringues, naloxone, cyberdépendance, dépendence",
        "addiction, addictions, substance use, drugs, alcohol, alcoholism, gambling, cannabis, "
        "opioids, detox, rehab, harm reduction, needle exchange, naloxone",
    ),
    "violence": (
        "violence, abus, agression, victime, victimes, harcèlement, intimidation, "
        "maltraitance, CAVAC",
        "violence, abuse, assault, victim, victims, harassment, bullying, mistreatment",
    ),
    "violence-conjugale": (
        "violence conjugale, femme battue, femmes battues, violence familiale, maison "
        "d'hébergement, refuge pour femmes, maison pour femmes, violence sexuelle, agression "
        "sexuelle, contrôle coercitif, SOS violence conjugale",
        "domestic violence, family violence, intimate partner violence, battered women, abused "
        "women, women's shelter, transition house, sexual assault, coercive control",
    ),
    "maltraitance-aines": (
        "maltraitance, abus envers les aînés, aînés maltraités, fraude, exploitation "
        "financière, négligence, Aide Abus Aînés",
        "elder abuse, senior abuse, financial abuse, fraud, scam, neglect, mistreatment of seniors",
    ),
    "aide-juridique": (
        "juridique, avocat, avocate, avocat gratuit, droit, conseils juridiques gratuits, "
        "clinique juridique, tribunal, "
        "cour, justice, notaire, petites créances, contravention, amende",
        "legal aid, lawyer, legal advice, legal clinic, law, court, justice, notary, "
        "small claims, fine",
    ),
    "emploi": (
        "emploi, travail, job, chômage, chercher un emploi, recherche d'emploi, trouver un "
        "emploi, CV, curriculum vitae, entrevue, embauche, carrière, réinsertion, stage, "
        "orientation, carrefour jeunesse-emploi, employabilité",
        "employment, job, jobs, work, unemployment, job search, find a job, resume, CV, "
        "interview, career, hiring, job training",
    ),
    "immigration": (
        "immigration, immigrant, immigrante, nouveaux arrivants, nouvel arrivant, nouvelle "
        "arrivante, réfugié, réfugiés, demandeur d'asile, demandeurs d'asile, résidence "
        "permanente, citoyenneté, immigrer",
        "immigration, immigrant, immigrants, newcomer, newcomers, new arrivals, refugee, "
        "refugees, asylum seeker, permanent residence, citizenship",
    ),
    "francisation": (
        "cours de français, apprendre le français, français langue seconde, conversation "
        "française, FLS, fransisation",
        "French classes, French courses, French lessons, learn French, French as a second "
        "language, francization",
    ),
    "accueil-immigrants": (
        "accueil, intégration, installation, établissement, nouveaux arrivants, réfugiés, "
        "démarches, papiers, interprète, jumelage",
        "settlement, integration, newcomers, welcome, refugees, paperwork, interpreter, "
        "orientation",
    ),
    "aines": (
        "aîné, personnes âgées, personne âgée, âge d'or, troisième âge, retraités, vieillir, "
        "vieillissement, 50 ans et plus, 65 ans et plus, isolement, appels d'amitié, visites "
        "d'amitié, ainé",
        "senior, seniors, elderly, older adults, older people, aging, ageing, retirees, golden "
        "age, isolation, friendly calls, friendly visits",
    ),
    "jeunesse-famille": (
        "famille, parents, parent, enfant, enfants, jeunes, jeunesse, ado, adolescents, maison "
        "de la famille, parentalité, soutien parental",
        "family, families, parents, parenting, child, children, kids, youth, teens",
    ),
    "petite-enfance": (
        "petite enfance, bébé, bébés, tout-petits, nourrisson, halte-garderie, garderie, "
        "maman, grossesse, enceinte, périnatalité, allaitement, couches, 0-5 ans",
        "early childhood, baby, babies, toddler, toddlers, infant, daycare, childcare, drop-in "
        "daycare, pregnancy, pregnant, breastfeeding, diapers, new parents",
    ),
    "jeunes": (
        "jeunesse, ado, ados, adolescent, adolescents, adolescentes, maison des jeunes, MDJ, "
        "jeunes adultes, décrochage, aide aux devoirs, travail de rue",
        "youth, young people, teens, teenagers, adolescents, youth centre, young adults, "
        "homework help, street outreach",
    ),
    "handicap": (
        "handicapé, handicapée, personnes handicapées, déficience intellectuelle, déficience "
        "physique, autisme, TSA, mobilité réduite, surdité, sourd, aveugle, malvoyant, fauteuil "
        "roulant, accessibilité, limitations fonctionnelles, handicape",
        "disability, disabilities, disabled, intellectual disability, physical disability, "
        "autism, deaf, blind, visually impaired, wheelchair, accessibility, special needs",
    ),
    "education": (
        "éducation, alphabétisation, apprendre à lire, lire, écrire, lecture, écriture, "
        "analphabétisme, formation, raccrochage, éducation des adultes, informatique, "
        "alphabetisation",
        "education, literacy, learn to read, reading, writing, adult education, tutoring, "
        "computer classes, digital literacy",
    ),
    "groupes-soutien": (
        "groupe de soutien, groupe d'entraide, entraide, écoute, partager, deuil, pairs, "
        "pair-aidant, groupe de parole",
        "support group, peer support, self-help group, mutual aid, grief, bereavement, "
        "sharing circle",
    ),
    "entretien-domicile": (
        "entretien de la maison, réparations, travaux, pelouse, tonte, gazon, jardinage, "
        "déneigement, grand ménage",
        "home maintenance, repairs, lawn, lawn mowing, yard work, gardening, snow",
    ),
    "deneigement": (
        "déneigement, neige, pelletage, pelleter, souffleuse, balcon, entrée, escaliers, "
        "déglaçage, deneigement",
        "snow removal, snow, shovelling, shoveling, shovel, snow clearing, driveway, ice",
    ),
    "menus-travaux": (
        "petits travaux, réparations, bricolage, homme à tout faire, peinture, installation, "
        "petites réparations",
        "minor repairs, handyman, odd jobs, small repairs, painting, fix, fixing",
    ),
    "dons": (
        "dons, donner, donation, don, seconde main, usagé, récupération, objets usagés",
        "donations, donate, giving, second-hand, used items, thrift",
    ),
    "cueillette-dons": (
        "cueillette, ramassage, collecte, cueillette à domicile, donner des meubles, don de "
        "meubles, débarras",
        "pickup, pick-up, donation pickup, collection, furniture donation, declutter",
    ),
    "comptoirs-vestimentaires": (
        "vêtements, linge, habits, manteaux, manteau d'hiver, bottes, comptoir vestimentaire, "
        "friperie, vestiaire, meubles, électroménagers, meubles usagés, vêtements gratuits, "
        "bazar, vetement",
        "clothes, clothing, clothing bank, free clothes, coats, winter coats, boots, thrift "
        "store, furniture, furniture bank, appliances, used furniture",
    ),
}


def load_keywords(Category) -> int:
    """Give each need of the tree its search keywords, where it has none (a curator's own
    keywords are never replaced). Returns how many needs were given keywords."""
    count = 0
    for code, (french, english) in KEYWORDS.items():
        count += Category.objects.filter(code=code, keywords_fr="", keywords_en="").update(
            keywords_fr=french, keywords_en=english
        )
    return count
