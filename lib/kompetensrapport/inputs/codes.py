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
