"""python -m coachnotes.i18n: bring the catalogs in step with the code."""

from coachnotes.i18n import update_catalogs

for lang, lacking in update_catalogs().items():
    print(f"{lang}: {len(lacking)} message(s) without a translation")
