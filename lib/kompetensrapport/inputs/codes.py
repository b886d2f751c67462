"""The fixed values of the data files, shared by the schemas that check them
(:mod:`.schemas`) and the pages that show them, without importing pandera: a build's notebooks
use data the build has validated, and do not import it.

>>> BEDOMNINGAR
('Balans', 'Obalans', 'Brist')
"""

#: ``<seed file>: <section>`` — the source of every row.
KALLA_PATTERN = r"^\d{3}_[0-9a-f]{16}\.txt: \S.*$"
#: The ratings of the kompetensanalys, from best to worst.
BEDOMNINGAR = ("Balans", "Obalans", "Brist")
BOOL_TEXT = ("true", "false")
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

#: Each data file's title for readers of the open data (Swedish).
TITLES = {
    "kallor.csv": "Källdokument",
    "internbudget_insatser.csv": "Personalnämndens internbudget per insats",
    "internbudget_totaler.csv": "Personalnämndens internbudget: angivna summor",
    "regionbidrag.csv": "Personalnämndens regionbidrag per år",
    "budgetmal.csv": "Personalnämndens budgetmål",
    "delmal_uppdrag.csv": "Delmål och uppdrag med koppling till Personalnämnden",
    "regionbidrag_brygga.csv": "Regionbidragets förändring från föregående år",
    "kompetensanalys.csv": "Kompetensanalys: bedömning per yrke och verksamhetsområde",
    "bedomningsdefinitioner.csv": "Definitioner av bedömningarna Balans, Obalans och Brist",
    "yrkesmappning.csv": "Yrkesnamn och deras regionala namn",
    "handlingsplan.csv": "Handlingsplaner för kompetensförsörjning",
    "behov_annan_niva.csv": "Behov som förvaltningarna lyfter till regional nivå",
    "utbildningsplatser.csv": "Utbildningsplatser",
    "fokus_kursomgangar.csv": "Fokus Kompetensförsörjning: kursomgångar",
    "fokus_finansiering.csv": "Fokus Kompetensförsörjning: finansiering",
    "fokus_resultat.csv": "Fokus Kompetensförsörjning: resultat",
    "fokus_fokusomraden.csv": "Fokus Kompetensförsörjning: fokusområden",
    "fokus_resurser.csv": "Fokus Kompetensförsörjning: resurser",
    "hr_nyckeltal.csv": "HR-nyckeltal",
    "resultatrakning.csv": "Resultaträkning",
}

#: How a placeholder of the publisher's configuration (``publicering.yml``) reaches readers.
NOT_GIVEN = "inte angiven"
