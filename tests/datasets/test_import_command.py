import pytest
from django.core.management import CommandError, call_command

from datasets import demo
from datasets.models import Dataset, Observation


def test_command_imports_and_creates_the_dataset(world, write, capsys):
    path = write("a.csv", "Køn;År;Antal\nK;2014;10\nM;2014;12\n")
    call_command("import_dataset", str(path), municipality="odense", dataset="Kommandolinje")
    dataset = Dataset.objects.get(municipality=world.odense.municipality, title="Kommandolinje")
    assert Observation.objects.filter(indicator__dataset=dataset).count() == 2
    assert "Imported 2 rows" in capsys.readouterr().out
    with pytest.raises(CommandError, match="allerede|already"):
        call_command("import_dataset", str(path), municipality="odense", dataset="Kommandolinje")
    replacement = write("b.csv", "Køn;År;Antal\nK;2015;1\nM;2015;2\nK;2016;3\n")
    call_command("import_dataset", str(replacement), municipality="odense", dataset="Kommandolinje", replace=True)
    assert sorted(Observation.objects.filter(indicator__dataset=dataset).values_list("period", flat=True)) == [
        "2015", "2015", "2016"]


def test_command_reports_row_errors_and_stores_nothing(world, write):
    path = write("bad.csv", "Køn;År;Antal\nK;2014;10\nQ;2014;12\n")
    with pytest.raises(CommandError) as info:
        call_command("import_dataset", str(path), municipality="odense", dataset="Fejl")
    assert "3" in str(info.value) and "'Q'" in str(info.value)
    assert not Observation.objects.filter(indicator__dataset__title="Fejl").exists()
    # Issue 14: a refused file changes nothing, not even the dataset made for it.
    assert not Dataset.objects.filter(title="Fejl").exists()


def test_a_refused_file_leaves_an_existing_dataset_and_no_new_one(world, write):
    call_command("import_dataset", str(write("ok.csv", "Køn;År;Antal\nK;2014;10\nM;2014;12\n")),
                 municipality="odense", dataset="Findes")
    for dataset in ("Findes", "Ny"):
        with pytest.raises(CommandError):
            call_command("import_dataset", str(write("x.xls", "not a spreadsheet")), municipality="odense",
                         dataset=dataset)
    assert Dataset.objects.filter(title="Findes").exists() and not Dataset.objects.filter(title="Ny").exists()
    assert Observation.objects.filter(indicator__dataset__title="Findes").count() == 2


def test_command_refuses_unknown_municipality(world, write):
    with pytest.raises(CommandError, match="short name"):
        call_command("import_dataset", str(write("a.csv", "Køn;Antal\nK;1\n")), municipality="x", dataset="y")


def test_person_level_file_from_the_command(world, write):
    path = write("odense.csv", demo.odense_csv())
    call_command("import_dataset", str(path), municipality="odense", dataset="Træning")
    share = Observation.objects.get(indicator__dataset__title="Træning", indicator__name="Selvhjulpen", sex="kvinde",
                                    age_band="")
    assert (share.numerator, share.denominator) == (64, 200)
    cost = Observation.objects.get(indicator__dataset__title="Træning", indicator__name="Årlig udgift (kr.)",
                                   sex="mand", age_band="")
    assert cost.value == pytest.approx(36992) and cost.n == 100 and cost.sd > 0


def test_demo_seed_is_idempotent(db):
    from accounts import demo as accounts_demo

    accounts_demo.seed()
    demo.seed()
    demo.seed()
    assert Dataset.objects.filter(title=demo.ODENSE_TITLE).count() == 1
    aarhus = Dataset.objects.get(title=demo.AARHUS_TITLE)
    assert Observation.objects.filter(indicator__dataset=aarhus, age_band="", sex="mand").get().denominator == 302


def test_reference_data_command(db):
    call_command("load_reference_data")
    call_command("load_reference_data")
    reference = Dataset.objects.get(municipality=None)
    assert reference.indicators.count() == 4
    assert Observation.objects.get(indicator__name="Visiterede timer hjemmepleje pr. år", sex="mand").value == 207
