"""The extractors on texts written for these tests (never the seeds' wording): what an
editor would note by hand from a programme, an info sheet, proceedings."""

import pytest

from essor.ingest.cleaning import page_lines
from essor.ingest.nlp import is_word
from essor.ingest.pipeline import analyse_pages

PROGRAMME = """Journée régionale de l'économie solidaire
Le jeudi 14 mars 2019 à Poitiers, la Région et le réseau Alpha organisent une journée d'échanges.

9h00 – 9h30 / Accueil et ouverture
• Thomas Girard, vice-président du conseil départemental de la Vienne

9 h 30 - 11h / Table ronde
Financer les tiers-lieux en milieu rural
Animée par Jeanne Morel, directrice, Réseau Alpha
•  Karim Benali, chargé de mission ESS, communauté d'agglomération
du Grand Poitiers
•  Sophie Lambert, gérante de la SCOP Les Ateliers du Clain

14h-15h30 / Ateliers en World Café
Animation : Hélène Dupuis, chargée de développement, Réseau Alpha
"""

INFO_SHEET = """Conseil départemental de la Gironde
1, esplanade Charles de Gaulle
33074 BORDEAUX Cedex
www.gironde.fr

> Élu :
Marc Antoine Roussel
Vice-président chargé de l'économie sociale
m.roussel@gironde.fr
> Technicienne : Claire Vasseur
Responsable du service ESS
c.vasseur@gironde.fr
05 56 99 33 33
"""

THANKS = """Merci aux intervenants (par ordre alphabétique) : Lucie Arnaud, adjointe au maire,
Ville de Nantes, Paul Besnard, président de l'association Terre Commune, et Inès Carpentier,
conseillère régionale, Région Normandie.
"""


def _facts(text: str) -> dict:
    return analyse_pages([text])


def _person(facts: dict, name: str) -> dict:
    found = [person for person in facts["people"] if person["name"] == name]
    assert found, f"{name} absent de {[person['name'] for person in facts['people']]}"
    return found[0]


@pytest.mark.django_db
def test_programme_gives_sessions_with_times_formats_moderators_and_speakers():
    facts = _facts(PROGRAMME)
    [event] = facts["events"]
    assert event["dates"] == ["2019-03-14"]
    sessions = {session["start"]: session for session in event["sessions"]}
    assert set(sessions) == {"09:00", "09:30", "14:00"}
    round_table = sessions["09:30"]
    assert round_table["end"] == "11:00"
    assert round_table["format"] == "round_table"
    assert "Financer les tiers-lieux" in round_table["title"]
    assert round_table["moderators"] == ["Jeanne Morel"]
    assert round_table["speakers"] == ["Karim Benali", "Sophie Lambert"]
    assert sessions["14:00"]["format"] == "world_cafe"
    assert sessions["14:00"]["moderators"] == ["Hélène Dupuis"]


@pytest.mark.django_db
def test_people_come_with_their_role_and_organisation_and_source():
    facts = _facts(PROGRAMME)
    jeanne = _person(facts, "Jeanne Morel")
    assert (jeanne["role"], jeanne["organisation"]) == ("directrice", "Réseau Alpha")
    karim = _person(facts, "Karim Benali")
    assert karim["role"] == "chargé de mission ESS"
    # The organisation was cut by a line end: it is read whole.
    assert karim["organisation"] == "communauté d'agglomération du Grand Poitiers"
    assert karim["source"]["page"] == 1
    assert "Karim Benali" in karim["source"]["passage"]
    assert _person(facts, "Thomas Girard")["organisation"] == ("conseil départemental de la Vienne")


@pytest.mark.django_db
def test_info_sheet_contacts_get_role_email_and_the_sheet_authority():
    facts = _facts(INFO_SHEET)
    elected = _person(facts, "Marc Antoine Roussel")
    assert elected["role"] == "Vice-président chargé de l'économie sociale"
    assert elected["email"] == "m.roussel@gironde.fr"
    assert elected["organisation"] == "Conseil départemental de la Gironde"
    officer = _person(facts, "Claire Vasseur")
    assert officer["role"] == "Responsable du service ESS"
    assert officer["phone"] == "05 56 99 33 33"
    # A street named after someone is not a person.
    assert all("Gaulle" not in person["name"] for person in facts["people"])


@pytest.mark.django_db
def test_a_list_of_thanks_gives_each_person_once_with_role_and_organisation():
    facts = _facts(THANKS + "\nLucie Arnaud a rappelé l'enjeu. Lucie ARNAUD, adjointe.")
    names = [person["name"] for person in facts["people"]]
    assert names.count("Lucie Arnaud") == 1
    lucie = _person(facts, "Lucie Arnaud")
    assert (lucie["role"], lucie["organisation"]) == ("adjointe au maire", "Ville de Nantes")
    paul = _person(facts, "Paul Besnard")
    assert paul["role"] == "président"
    assert paul["organisation"].startswith("association Terre Commune")
    assert _person(facts, "Inès Carpentier")["organisation"] == "Région Normandie"


@pytest.mark.django_db
def test_places_are_resolved_to_official_codes_whatever_the_form():
    facts = _facts(PROGRAMME + INFO_SHEET + THANKS)
    places = {(place["kind"], place["code"]) for place in facts["places"]}
    assert ("departement", "86") in places  # conseil départemental de la Vienne
    assert ("departement", "33") in places  # Conseil départemental de la Gironde
    assert ("commune", "33063") in places  # 33074 BORDEAUX Cedex
    assert ("commune", "44109") in places  # Ville de Nantes
    assert ("region", "28") in places  # Région Normandie
    assert ("commune", "86194") in places  # Poitiers
    for place in facts["places"]:
        assert 0.75 <= place["score"] <= 1
        assert place["source"]["passage"]


@pytest.mark.django_db
def test_former_names_resolve_to_todays_territory():
    facts = _facts(
        "Intervention de la Communauté urbaine de Bordeaux et du conseil général "
        "du Finistère, avec la région Midi-Pyrénées."
    )
    places = {(place["kind"], place["code"]) for place in facts["places"]}
    assert {("epci", "243300316"), ("departement", "29"), ("region", "76")} <= places


@pytest.mark.django_db
def test_no_territory_for_a_country_or_a_common_word():
    facts = _facts("La France et l'Europe soutiennent l'économie sociale. Le Vert est une couleur.")
    assert facts["places"] == []


@pytest.mark.django_db
def test_links_emails_figures_dates_and_kind():
    facts = _facts(
        "Dossier du participant\nRencontre du 3 février 2020, programme.\n"
        "Contact : info@reseau-alpha.org — www.reseau-alpha.org\n"
        "Le territoire compte 12 500 habitants et 340 salariés ; budget de 1,5 millions d'euros."
    )
    assert facts["emails"] == ["info@reseau-alpha.org"]
    assert facts["links"] == ["www.reseau-alpha.org"]
    assert facts["dates"] == ["2020-02-03"]
    units = {(figure["value"], figure["unit"]) for figure in facts["figures"]}
    assert ("12500", "habitants") in units and ("340", "salariés") in units
    assert facts["kind"] == "participant_kit"
    assert facts["library_kind"] == "dossier-participant"


def test_ocr_noise_is_repaired_without_touching_clean_text():
    pages = [
        "Le développement de I'économie sociale et du dévelop-\n"
        "pement local passe par le vice-\nprésident.\n"
        "+ un point de liste\n® un autre point\n"
        "Il l'a dit : l'État et I'Europe."
    ]
    texts = [line.text for line in page_lines(pages, is_word)]
    assert texts[0] == (
        "Le développement de l'économie sociale et du développement local passe par le "
        "vice-président."
    )
    assert texts[1:3] == ["un point de liste", "un autre point"]
    assert texts[3] == "Il l'a dit : l'État et l'Europe."
    lines = page_lines(pages, is_word)
    assert lines[1].bullet and (lines[1].page, lines[1].line) == (1, 4)


@pytest.mark.django_db
def test_a_pdf_is_read_with_its_layout_lines_put_back_together():
    """A PDF's text comes wrapped at the page width and without bullet glyphs: a name cut at
    a line end is read whole, list items naming people stay apart."""
    from weasyprint import HTML

    from essor.ingest.pipeline import analyse

    html = (
        "<h1>Séminaire des élus</h1><p style='width:12cm'>Le mardi 12 mai 2015 à "
        "Clermont-Ferrand, le réseau Gamma et Clermont Auvergne Métropole organisent un "
        "séminaire ouvert aux élus et aux techniciens des collectivités.</p>"
        "<p><b>9h30 – 10h30 / Plénière d'ouverture</b></p><ul>"
        "<li>Nadia Ferrand, vice-présidente de la Région Auvergne-Rhône-Alpes</li>"
        "<li>Julien Marchal, maire de Riom</li></ul>"
        "<p><b>11h – 12h30 / Atelier</b></p><p>Animé par Cécile Noyer, chargée de mission, "
        "Réseau Gamma</p><ul><li>Bruno Tessier, directeur, SCIC Énergies Partagées</li></ul>"
    )
    facts = analyse("seminaire.pdf", HTML(string=html).write_pdf())
    codes = {place["code"] for place in facts["places"]}
    assert {"63113", "246300701", "84", "63300"} <= codes  # Clermont Auvergne Métropole whole
    assert "60157" not in codes  # not Clermont (Oise), from a name cut in two
    people = {person["name"]: person for person in facts["people"]}
    assert people["Julien Marchal"]["organisation"] == "Riom"
    assert people["Bruno Tessier"]["organisation"] == "SCIC Énergies Partagées"
    [event] = facts["events"]
    assert "Clermont Auvergne Métropole" in event["organisers"]
    titles = [session["title"] for session in event["sessions"]]
    assert titles == ["Plénière d'ouverture", "Atelier"]
    assert event["sessions"][1]["moderators"] == ["Cécile Noyer"]
