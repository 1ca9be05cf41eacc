"""Import of the member list: every line checked against the referential, errors by line in
French, nothing half-imported; the command and the admin screen."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from essor.core.roles import Role

# The lead imports this module from wagtail_hooks.py; importing it here as well keeps these
# tests independent of that line.
from essor.members import admin_import, services
from essor.members.imports import (
    ImportReport,
    MemberFileError,
    MemberImportFailed,
    apply_member_import,
    member_import_check,
    read_member_table,
    siren_is_valid,
    template_csv,
    validate_member_rows,
)
from essor.members.models import Authority, Dues, Membership
from essor.members.tests.factories import authority_for

pytestmark = pytest.mark.django_db

# Not in the referential; a valid SIREN (Luhn) for a body the referential does not list.
PAYS_SIREN = "200041234"
HEADER = "Code officiel;Niveau;Nom;Date d'adhésion;Date de départ;Site internet;Année de cotisation;Montant de cotisation;Cotisation payée le"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *lines]).encode(encoding)


def counts() -> tuple[int, int, int]:
    return Authority.objects.count(), Membership.objects.count(), Dues.objects.count()


def check(data: bytes, filename: str = "adherents.csv") -> ImportReport:
    return member_import_check(data, filename)


def import_file(data: bytes, filename: str = "adherents.csv", **options):
    report = check(data, filename)
    assert report.ok, report.messages
    return apply_member_import(report, **options)


GOOD_LINES = (
    "35238;;Ville de Rennes;01/01/2012;;rennes.fr;2024;1 200,50;15/03/2024",
    "53;région;Région Bretagne;2010;;;2024;3 000 €;",
    "200046977;;;2015-06-01;01/01/2020;;;;",
    f"{PAYS_SIREN};autre;Pays de Redon – Bretagne Sud;01/09/2018;;;;;",
)


def test_the_test_siren_is_valid_and_outside_the_referential():
    assert siren_is_valid(PAYS_SIREN)
    assert siren_is_valid("200046977")  # Métropole de Lyon
    assert not siren_is_valid("123456789")


# --- Good files ---------------------------------------------------------------------------


def test_semicolon_csv_in_windows_1252_with_accents_imports():
    before = counts()
    result = import_file(csv_bytes(*GOOD_LINES, encoding="cp1252"))

    assert counts() == (before[0] + 4, before[1] + 4, before[2] + 2)
    rennes = Authority.objects.get(territory__kind="commune", territory__code="35238")
    assert rennes.name == "Ville de Rennes"
    assert rennes.website == "https://rennes.fr"
    assert rennes.memberships.get().joined_on == datetime.date(2012, 1, 1)
    dues = rennes.dues.get()
    assert (dues.year, dues.amount, dues.paid_on) == (
        2024,
        Decimal("1200.50"),
        datetime.date(2024, 3, 15),
    )
    bretagne = Authority.objects.get(territory__kind="region", territory__code="53")
    assert bretagne.memberships.get().joined_on == datetime.date(2010, 1, 1)
    assert bretagne.dues.get().amount == Decimal("3000")
    lyon = Authority.objects.get(territory__code="200046977")
    assert lyon.kind == "epci"
    assert lyon.memberships.get().left_on == datetime.date(2020, 1, 1)
    pays = Authority.objects.get(siren=PAYS_SIREN)
    assert (pays.kind, pays.name, pays.territory) == ("other", "Pays de Redon – Bretagne Sud", None)
    assert result.authorities_created == 4
    assert result.memberships_created == 4
    assert result.dues_created == 2
    assert "Collectivités : 4 créées, 0 modifiée, 0 inchangée." in result.summary()


def test_comma_csv_in_utf8_with_bom_imports():
    data = b"\xef\xbb\xbf" + (
        b"code,adhesion,nom,cotisation_annee,cotisation_montant\n"
        b'14118,2016-01-01,Caen,2023,"1 200,50"\n'
        b"2A,01/01/2019,,2023,800\n"
        b"971,2020,,,\n"
    )
    import_file(data)
    caen = Authority.objects.get(territory__code="14118")
    assert caen.dues.get().amount == Decimal("1200.50")
    corse = Authority.objects.get(territory__kind="departement", territory__code="2A")
    assert corse.name == "Corse-du-Sud"
    assert Authority.objects.get(territory__code="971").territory.kind == "departement"


def test_tab_separated_file_and_header_synonyms_are_read():
    data = "Code INSEE\tCOLLECTIVITÉ\tAdhérent depuis\tMontant cotisation\tExercice\n35238\tRennes\t2012\t1200.5\t2024\n"
    table = read_member_table(data.encode(), "liste.txt")
    assert set(table.columns) == {
        "code",
        "nom",
        "adhesion",
        "cotisation_montant",
        "cotisation_annee",
    }
    assert table.rows[0].line == 2
    assert table.rows[0].cells["code"] == "35238"


def test_xlsx_with_date_cells_and_numbers_imports():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["Code", "Nom", "Date d'adhésion", "Date de départ", "Cotisation", "Année de cotisation"]
    )
    # Spreadsheets store codes as numbers: 1053 is the commune 01053 (Bourg-en-Bresse).
    sheet.append([1053, None, datetime.datetime(2014, 3, 1), None, 450.5, 2023])
    sheet.append([])
    sheet.append([35238, "Rennes", datetime.date(2012, 1, 1), 2019, 1200, 2018])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = check(buffer.getvalue(), "adherents.xlsx")
    assert report.ok, report.messages
    assert [line.line for line in report.lines] == [2, 4]
    apply_member_import(report)

    bourg = Authority.objects.get(territory__code="01053")
    assert bourg.memberships.get().joined_on == datetime.date(2014, 3, 1)
    assert bourg.dues.get().amount == Decimal("450.50")
    rennes = Authority.objects.get(territory__code="35238")
    assert rennes.memberships.get().left_on == datetime.date(2019, 1, 1)


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    data = csv_bytes(*GOOD_LINES)
    import_file(data)
    before = counts()
    result = import_file(data)
    assert counts() == before
    assert not result.changed
    summary = result.summary()
    assert "Collectivités : 0 créée, 0 modifiée, 4 inchangées." in summary
    assert "Adhésions : 0 créée, 0 modifiée, 4 inchangées." in summary
    assert "Cotisations : 0 créée, 0 modifiée, 2 inchangées." in summary
    assert any(line.startswith("Aucun changement") for line in summary)


def test_a_second_file_updates_departure_name_and_dues():
    import_file(csv_bytes("35238;;Rennes;01/01/2012;;;2024;1000;"))
    result = import_file(csv_bytes("35238;;Ville de Rennes;01/01/2012;01/01/2021;;2024;1100;"))
    rennes = Authority.objects.get(territory__code="35238")
    assert rennes.name == "Ville de Rennes"
    assert rennes.memberships.get().left_on == datetime.date(2021, 1, 1)
    assert rennes.dues.get().amount == Decimal("1100")
    assert (result.authorities_updated, result.memberships_updated, result.dues_updated) == (
        1,
        1,
        1,
    )


def test_an_empty_cell_never_erases_what_is_recorded():
    import_file(csv_bytes("35238;;Rennes;2012;2020;rennes.fr;2019;900;01/02/2019"))
    result = import_file(csv_bytes("35238;;;2012;;;2019;900;"))
    rennes = Authority.objects.get(territory__code="35238")
    assert rennes.memberships.get().left_on == datetime.date(2020, 1, 1)
    assert rennes.website == "https://rennes.fr"
    assert rennes.dues.get().paid_on == datetime.date(2019, 2, 1)
    assert not result.changed


def test_a_member_that_left_and_came_back_has_two_periods():
    import_file(
        csv_bytes(
            "35238;;Rennes;2008;2012;;;;",
            "35238;;Rennes;2016;;;;;",
        )
    )
    rennes = Authority.objects.get(territory__code="35238")
    assert rennes.memberships.count() == 2


def test_one_line_per_year_of_dues_for_the_same_period():
    result = import_file(
        csv_bytes(
            "35238;;Rennes;2012;;;2023;1000;",
            "35238;;Rennes;2012;;;2024;1100;",
        )
    )
    rennes = Authority.objects.get(territory__code="35238")
    assert rennes.memberships.count() == 1
    assert sorted(rennes.dues.values_list("year", flat=True)) == [2023, 2024]
    assert (result.authorities_created, result.memberships_created, result.dues_created) == (
        1,
        1,
        2,
    )


def test_the_same_start_date_updates_a_recorded_membership():
    rennes = authority_for("35238", joined_on=datetime.date(2012, 1, 1))
    result = import_file(csv_bytes("35238;;;01/01/2012;31/12/2022;;;;"))
    assert rennes.memberships.get().left_on == datetime.date(2022, 12, 31)
    assert result.memberships_updated == 1


# --- Bad input: a clear message by line, nothing saved ------------------------------------


BAD_FILES = {
    "unknown commune code": (
        ("35238;;Rennes;2012;;;;;", "99999;;;2012;;;;;"),
        "Ligne 3 : le code « 99999 » ne correspond à aucune commune du référentiel officiel.",
    ),
    "code of two levels": (
        ("84;;;2012;;;;;",),
        "Ligne 2 : le code « 84 » peut désigner une région (Auvergne-Rhône-Alpes) ou un "
        "département (Vaucluse) ; précisez la colonne niveau.",
    ),
    "région that does not exist": (
        ("35;région;;2012;;;;;",),
        "Ligne 2 : le code « 35 » ne correspond à aucune région du référentiel officiel.",
    ),
    "duplicate member": (
        ("35238;;Rennes;2012;;;;;", "14118;;Caen;2012;;;;;", "35238;;Rennes;2012;;;;;"),
        "Ligne 4 : Rennes figure déjà ligne 2.",
    ),
    "duplicate member with overlapping periods": (
        ("35238;;;2012;;;;;", "35238;;;2014;2016;;;;"),
        "Ligne 3 : Rennes figure déjà ligne 2 avec une période d'adhésion qui chevauche celle-ci.",
    ),
    "leaving before joining": (
        ("14118;;;2012;;;;;", "35238;;;01/01/2016;01/01/2015;;;;"),
        "Ligne 3 : la date de départ (01/01/2015) précède la date d'adhésion (01/01/2016).",
    ),
    "negative amount": (
        ("35238;;;2012;;;2024;-150;",),
        "Ligne 2 : montant de cotisation négatif (« -150 »).",
    ),
    "impossible date": (
        ("35238;;;31/02/2017;;;;;",),
        "Ligne 2 : date d'adhésion « 31/02/2017 » invalide (formats acceptés : JJ/MM/AAAA, "
        "AAAA-MM-JJ ou l'année seule).",
    ),
    "missing joining date": (
        ("35238;;;;;;;;",),
        "Ligne 2 : date d'adhésion manquante.",
    ),
    "amount that is not one": (
        ("35238;;;2012;;;2024;beaucoup;",),
        "Ligne 2 : montant de cotisation « beaucoup » invalide (exemples : 1 200,50 ou 1200).",
    ),
    "dues without year": (
        ("35238;;;2012;;;;1200;",),
        "Ligne 2 : cotisation incomplète : indiquez à la fois l'année et le montant de la "
        "cotisation.",
    ),
    "unknown level": (
        ("35238;canton;;2012;;;;;",),
        "Ligne 2 : niveau « canton » inconnu ; valeurs possibles : région, département, "
        "intercommunalité, commune ou autre.",
    ),
    "SIREN with a wrong check digit": (
        ("123456789;;Syndicat;2012;;;;;",),
        "Ligne 2 : le SIREN « 123456789 » n'est pas valide (sa clé de contrôle ne correspond "
        "pas) : vérifiez-le.",
    ),
    "unknown SIREN without a name": (
        (f"{PAYS_SIREN};;;2012;;;;;",),
        f"Ligne 2 : le SIREN « {PAYS_SIREN} » ne figure pas dans le référentiel officiel : "
        "indiquez le nom de l'organisme (colonne nom) pour l'ajouter.",
    ),
    "neither an INSEE code nor a SIREN": (
        ("Rennes;;;2012;;;;;",),
        "Ligne 2 : le code « Rennes » n'est ni un code INSEE (commune, département, région) "
        "ni un SIREN (9 chiffres).",
    ),
    "postal code instead of the INSEE code": (
        ("35000;;;2012;;;;;",),
        "Ligne 2 : le code « 35000 » ne correspond à aucune commune du référentiel officiel. "
        "C'est le code postal de Rennes (35238) : le code INSEE est celui de la commune, pas "
        "son code postal.",
    ),
    "invalid website": (
        ("35238;;;2012;;pas un site;;;",),
        "Ligne 2 : site internet « pas un site » invalide.",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_line_gives_its_french_message_and_saves_nothing(case):
    lines, expected = BAD_FILES[case]
    before = counts()
    report = check(csv_bytes(*lines))
    assert expected in report.messages, report.messages
    assert not report.ok and report.lines == []
    with pytest.raises(ValueError, match="rien ne peut être importé"):
        apply_member_import(report)
    assert counts() == before


def test_every_error_of_every_line_is_listed_in_line_order():
    report = check(
        csv_bytes(
            "35238;;;2012;;;;;",
            "99999;;;31/02/2017;;;;;",
            "14118;;;2012;;;2024;-5;",
        )
    )
    assert report.messages == [
        "Ligne 3 : le code « 99999 » ne correspond à aucune commune du référentiel officiel.",
        "Ligne 3 : date d'adhésion « 31/02/2017 » invalide (formats acceptés : JJ/MM/AAAA, "
        "AAAA-MM-JJ ou l'année seule).",
        "Ligne 4 : montant de cotisation négatif (« -5 »).",
    ]


def test_a_membership_overlapping_a_recorded_one_is_refused():
    authority_for("35238", joined_on=datetime.date(2012, 1, 1))
    before = counts()
    report = check(csv_bytes("14118;;;2012;;;;;", "35238;;;01/01/2014;;;;;"))
    assert report.messages == [
        "Ligne 3 : cette période d'adhésion chevauche celle déjà enregistrée pour Rennes "
        "(depuis le 01/01/2012). Reprenez la date d'adhésion enregistrée pour la mettre à jour, "
        "ou corrigez les dates."
    ]
    assert counts() == before


def test_a_period_after_a_recorded_departure_is_accepted():
    rennes = authority_for("35238")
    services.membership_record(
        rennes, joined_on=datetime.date(2008, 1, 1), left_on=datetime.date(2012, 1, 1)
    )
    import_file(csv_bytes("35238;;;01/01/2014;;;;;"))
    assert rennes.memberships.count() == 2


MISSING_COLUMNS = (
    "Colonnes obligatoires absentes : « code » (code officiel : code INSEE ou SIREN), "
    "« adhesion » (date d'adhésion)."
)


@pytest.mark.parametrize(
    "data, expected",
    [
        pytest.param(
            b"Nom;Montant\nRennes;12\n",
            MISSING_COLUMNS + " Colonnes lues sur la première ligne : « Nom », « Montant ».",
            id="missing columns",
        ),
        pytest.param(
            b"code;nom\n35238;Rennes\n",
            "Colonne obligatoire absente : « adhesion » (date d'adhésion).",
            id="missing joining date column",
        ),
        pytest.param(
            b"code|adhesion\n35238|2012\n",
            "Une seule colonne a été lue : vérifiez le séparateur (point-virgule, virgule ou "
            "tabulation).",
            id="unknown separator",
        ),
        pytest.param(
            bytes(range(256)) * 20,
            "Le fichier n'est pas un CSV lisible (encodage non reconnu ou fichier binaire).",
            id="binary file",
        ),
        pytest.param(
            b"code;adhesion;montant\n35238;2012;1200\n",
            "Colonne absente : « cotisation_annee » (année de la cotisation), nécessaire avec "
            "la colonne « cotisation_montant » (montant de la cotisation).",
            id="dues amount without year column",
        ),
        pytest.param(b"", "Le fichier est vide.", id="empty file"),
        pytest.param(
            b"code;adhesion\n",
            "Le fichier ne contient aucune ligne sous la ligne d'en-tête.",
            id="header only",
        ),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "Le format XLS (Excel 97-2003) n'est pas lu",
            id="old excel",
        ),
        pytest.param(
            b"PK\x03\x04not really a zip file",
            "Le fichier n'est pas un classeur XLSX lisible",
            id="broken xlsx",
        ),
        pytest.param(
            b'code;adhesion\n35238;"2012\n',
            "Le fichier CSV est mal formé",
            id="unclosed quote",
        ),
    ],
)
def test_unreadable_file_gives_one_clear_message_and_saves_nothing(data, expected):
    before = counts()
    with pytest.raises(MemberFileError) as raised:
        read_member_table(data, "adherents.csv")
    assert expected in raised.value.message
    report = check(data)
    assert len(report.errors) == 1 and report.errors[0].line is None
    assert expected in report.messages[0]
    assert counts() == before


def test_wrong_separator_inside_the_lines_is_reported_by_line():
    report = check(b"code;adhesion;nom\n35238;2012;Rennes\n14118,2012,Caen;;;x\n")
    assert report.messages[0] == (
        "Ligne 3 : 1 valeur au-delà des colonnes de l'en-tête : vérifiez le séparateur et les "
        "guillemets."
    )
    assert {error.line for error in report.errors} == {3}


def test_a_missing_name_column_for_unknown_bodies_is_one_error():
    report = check(
        f"code;adhesion\n35238;2012\n{PAYS_SIREN};2012\n".encode(),
    )
    assert report.messages == [
        "Colonne « nom » absente : elle est nécessaire pour les organismes qui ne figurent pas "
        "dans le référentiel officiel (SIREN ligne 3). Ajoutez une colonne « nom »."
    ]


def test_a_known_siren_needs_no_name():
    rennes_by_siren = "213502388"  # Rennes' SIREN: the commune, not another body
    import_file(csv_bytes(f"{rennes_by_siren};;;2012;;;;;"))
    assert Authority.objects.get(territory__code="35238").memberships.count() == 1
    assert not Authority.objects.filter(siren=rennes_by_siren).exists()


def test_missing_code_suggests_the_territory_of_the_name():
    report = check(csv_bytes(";;Brest Métropole;2012;;;;;"))
    assert report.messages == [
        "Ligne 2 : code officiel (code INSEE ou SIREN) manquant ; pour « Brest Métropole », "
        "le référentiel propose Brest Métropole (SIREN 242900314)."
    ]


# --- Applying: all or nothing -------------------------------------------------------------


def test_a_failure_on_the_last_line_saves_nothing(monkeypatch):
    report = check(csv_bytes(*GOOD_LINES))
    real_membership_record = services.membership_record

    def failing_on_the_pays(authority, **kwargs):
        if authority.siren == PAYS_SIREN:
            raise RuntimeError("panne")
        return real_membership_record(authority, **kwargs)

    monkeypatch.setattr(services, "membership_record", failing_on_the_pays)
    before = counts()
    with pytest.raises(RuntimeError):
        apply_member_import(report)
    assert counts() == before


def test_a_refused_write_names_its_line_and_saves_nothing(monkeypatch):
    report = check(csv_bytes(*GOOD_LINES))
    real_membership_record = services.membership_record

    def refusing_the_pays(authority, **kwargs):
        if authority.siren == PAYS_SIREN:
            raise ValidationError("Cette collectivité est déjà adhérente sur cette période.")
        return real_membership_record(authority, **kwargs)

    monkeypatch.setattr(services, "membership_record", refusing_the_pays)
    before = counts()
    with pytest.raises(MemberImportFailed) as raised:
        apply_member_import(report)
    assert str(raised.value) == (
        "Ligne 5 : Cette collectivité est déjà adhérente sur cette période. Rien n'a été importé."
    )
    assert raised.value.error.line == 5
    assert counts() == before


def test_dry_run_saves_nothing_and_tells_what_would_be_done():
    before = counts()
    result = import_file(csv_bytes(*GOOD_LINES), dry_run=True)
    assert counts() == before
    assert result.dry_run and result.authorities_created == 4
    assert "Collectivités : 4 à créer, 0 à modifier, 0 inchangée." in result.summary()


def test_validate_takes_the_rows_read():
    table = read_member_table(csv_bytes(*GOOD_LINES), "adherents.csv")
    report = validate_member_rows(table)
    assert report.ok and len(report.lines) == 4 and report.row_count == 4


def test_the_user_who_imports_is_in_the_history(make_user):
    from wagtail.models import ModelLogEntry

    editor = make_user(Role.EDITOR)
    import_file(csv_bytes("35238;;Rennes;2012;;;;;"), user=editor)
    rennes = Authority.objects.get(territory__code="35238")
    entry = ModelLogEntry.objects.for_instance(rennes).get()
    assert (entry.action, entry.user) == ("wagtail.create", editor)


# --- The command --------------------------------------------------------------------------


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "adherents.csv"
    path.write_bytes(csv_bytes(*GOOD_LINES, encoding="cp1252"))
    return path


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "adherents.csv"
    path.write_bytes(csv_bytes("35238;;;2012;;;;;", "99999;;;2012;;;;;"))
    return path


def test_command_imports_and_prints_the_summary(good_file):
    out = io.StringIO()
    call_command("members_import", str(good_file), stdout=out)
    assert "Collectivités : 4 créées, 0 modifiée, 0 inchangée." in out.getvalue()
    assert Authority.objects.filter(siren=PAYS_SIREN).exists()
    out = io.StringIO()
    call_command("members_import", str(good_file), stdout=out)
    assert "Collectivités : 0 créée, 0 modifiée, 4 inchangées." in out.getvalue()


def test_command_dry_run_saves_nothing(good_file):
    before = counts()
    out = io.StringIO()
    call_command("members_import", str(good_file), "--dry-run", stdout=out)
    assert counts() == before
    assert "Vérification sans import" in out.getvalue()
    assert "4 à créer" in out.getvalue()


def test_command_exits_with_status_1_and_errors_by_line(bad_file, capsys):
    before = counts()
    # call_command, not the command line: the latter closes the test's database connection.
    with pytest.raises(CommandError) as exited:
        call_command("members_import", str(bad_file))
    assert exited.value.returncode == 1  # the exit status `essor members_import` returns
    err = capsys.readouterr().err
    assert "Ligne 3 : le code « 99999 » ne correspond à aucune commune" in err
    assert "1 erreur : rien n'a été importé." in str(exited.value)
    assert counts() == before


def test_command_says_when_the_file_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable") as exited:
        call_command("members_import", str(tmp_path / "absent.csv"))
    assert exited.value.returncode == 1


# --- The admin screen ---------------------------------------------------------------------


IMPORT_URL = "/admin/reseau/import-adherents/"


def upload(data: bytes, name: str = "adherents.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_admin_urls():
    assert reverse("members_import") == IMPORT_URL
    assert reverse("members_import_template") == IMPORT_URL + "modele.csv"


def test_anonymous_users_are_sent_to_the_login_page(client):
    for url in (IMPORT_URL, IMPORT_URL + "modele.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


@pytest.mark.parametrize("role", [Role.VISITOR, Role.MEMBER])
def test_visitors_and_members_cannot_import(client, make_user, role, good_file):
    client.force_login(make_user(role))
    before = counts()
    for response in (
        client.get(IMPORT_URL),
        client.post(IMPORT_URL, {"file": upload(good_file.read_bytes())}),
        client.get(IMPORT_URL + "modele.csv"),
    ):
        # Wagtail sends users without admin access to its login page.
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or "login" in response["Location"]
    assert counts() == before


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMINISTRATOR])
def test_editors_and_administrators_see_the_form(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Importer des adhérents" in content
    assert 'type="file"' in content
    assert "Vérifier sans importer" in content
    assert reverse("members_import_template") in content


def test_the_menu_offers_the_import_to_editors_only(client, make_user, rf):
    client.force_login(make_user(Role.EDITOR))
    content = client.get("/admin/").content.decode()
    assert '"label": "Importer des adh\\u00e9rents"' in content
    assert f'"url": "{IMPORT_URL}"' in content
    item = admin_import.register_member_import_menu_item()
    request = rf.get("/admin/")
    for role, shown in ((Role.MEMBER, False), (Role.EDITOR, True), (Role.ADMINISTRATOR, True)):
        request.user = make_user(role)
        assert item.is_shown(request) is shown


def test_a_bad_upload_shows_the_errors_by_line_and_saves_nothing(client, make_user, bad_file):
    client.force_login(make_user(Role.EDITOR))
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(bad_file.read_bytes())})
    assert response.status_code == 200
    content = response.content.decode()
    assert "rien n'a été importé" in content
    assert "Ligne 3 : le code « 99999 » ne correspond à aucune commune" in content
    assert counts() == before


def test_an_unreadable_upload_shows_one_message(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    response = client.post(IMPORT_URL, {"file": upload(bytes(range(256)) * 20)})
    assert "pas un CSV lisible" in response.content.decode()


def test_a_good_upload_imports_and_shows_the_summary(client, make_user, good_file):
    editor = make_user(Role.EDITOR)
    client.force_login(editor)
    response = client.post(IMPORT_URL, {"file": upload(good_file.read_bytes())})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Collectivités : 4 créées, 0 modifiée, 0 inchangée." in content
    assert Authority.objects.filter(siren=PAYS_SIREN).exists()


def test_the_check_only_option_saves_nothing(client, make_user, good_file):
    client.force_login(make_user(Role.EDITOR))
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(good_file.read_bytes()), "dry_run": "on"})
    content = response.content.decode()
    assert "Collectivités : 4 à créer, 0 à modifier, 0 inchangée." in content
    assert counts() == before


def test_an_xlsx_upload_imports(client, make_user):
    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "adhesion"])
    workbook.active.append(["35238", datetime.date(2012, 1, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(make_user(Role.EDITOR))
    client.post(IMPORT_URL, {"file": upload(buffer.getvalue(), "liste.xlsx")})
    assert Authority.objects.get(territory__code="35238").memberships.count() == 1


def test_a_file_over_5_mb_is_refused(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    big = csv_bytes("35238;;;2012;;;;;") + b" " * (5 * 1024 * 1024)
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(big)})
    assert "la limite est de 5 Mo" in response.content.decode()
    assert counts() == before


def test_an_old_excel_file_is_refused_with_a_reason(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    response = client.post(IMPORT_URL, {"file": upload(b"\xd0\xcf\x11\xe0", "liste.xls")})
    assert "Le format XLS (Excel 97-2003) n&#x27;est pas lu" in response.content.decode()


def test_the_template_csv_downloads_and_imports(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    response = client.get(IMPORT_URL + "modele.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content == template_csv()
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 3
    result = import_file(response.content, "modele.csv")
    assert result.authorities_created == 2
