"""The shared reference dataset: national figures quoted in the pamphlet (2012–2014).

Loaded by a data migration (and `load_reference_data`), with the historical models
passed in, so it also runs on a fresh database. Idempotent.
"""

from __future__ import annotations

REFERENCE_TITLE = "Landstal fra pjecen (2012–2014)"
REFERENCE_SOURCE = (
    "Anbefalinger og metoder til at arbejde med køn og ligestilling i borgerrettede ydelser (2015); "
    "pjecens kilder: Ministeriet for Sundhed og Forebyggelse (2014); KORA (2014) Kønsforskelle i "
    "hjemmeplejen; Statens Institut for Folkesundhed (2014) Sundhed og trivsel i et kønsperspektiv"
)

# name, measure, better, period, source, description, {sex: value}
FIGURES = [
    ("Højt stressniveau, 16-24 år", "share", "lower", "2014",
     "Statens Institut for Folkesundhed (2014) Sundhed og trivsel i et kønsperspektiv",
     "Andel af de 16-24-årige med et højt stressniveau. Mænd: “knap 16 pct.”.",
     {"kvinde": 0.33, "mand": 0.159}),
    ("Kontakter til almen praktiserende læge pr. år", "contacts", "none", "2014",
     "Statens Institut for Folkesundhed (2014) Sundhed og trivsel i et kønsperspektiv",
     "Gennemsnitligt antal kontakter om året: kvinder knap 9, mænd knap 6.",
     {"kvinde": 9.0, "mand": 6.0}),
    ("Ældre der får hjemmepleje", "share", "none", "2014",
     "KORA (2014) Kønsforskelle i hjemmeplejen",
     "Andel af ældre kvinder og mænd der får hjemmepleje (mænd: cirka 14 pct.).",
     {"kvinde": 0.25, "mand": 0.14}),
    ("Visiterede timer hjemmepleje pr. år", "hours", "none", "2014",
     "KORA (2014) Kønsforskelle i hjemmeplejen",
     "Visiterede timer hjemmepleje på årsbasis pr. modtager.",
     {"kvinde": 182.0, "mand": 207.0}),
]


def load(apps=None) -> None:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Dataset = apps.get_model("datasets", "Dataset")
    Indicator = apps.get_model("datasets", "Indicator")
    Observation = apps.get_model("datasets", "Observation")
    import datetime

    dataset, _ = Dataset.objects.get_or_create(
        municipality=None, title=REFERENCE_TITLE,
        defaults={
            "description": "Landstal om kønsforskelle i sundhed og ældrepleje, som de er citeret i pjecen. "
                           "Bruges som sammenligning for kommunens egne tal.",
            "source_kind": "national", "source": REFERENCE_SOURCE,
            "period_start": datetime.date(2012, 1, 1), "period_end": datetime.date(2014, 12, 31),
        },
    )
    for position, (name, measure, better, period, source, description, values) in enumerate(FIGURES):
        indicator, _ = Indicator.objects.update_or_create(
            dataset=dataset, name=name,
            defaults={"measure": measure, "better": better, "description": f"{description} Kilde: {source}.",
                      "position": position},
        )
        for sex, value in values.items():
            Observation.objects.update_or_create(indicator=indicator, period=period, sex=sex, age_band="",
                                                 education="", civil_status="", origin="", area="",
                                                 defaults={"value": value})
