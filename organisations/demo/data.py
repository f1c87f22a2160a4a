"""The demo generator's tables: places and their people, kinds of organisations and what they
offer, names, streets, opening hours... Plain data, read by ``generator.py`` and ``places.py``;
the weights are the share of each choice."""

from dataclasses import dataclass
from datetime import time
from itertools import accumulate

MONTREAL_SECTOR = "secteur-agglomeration-de-montreal"
LAVAL_SECTOR = "secteur-laval"

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
