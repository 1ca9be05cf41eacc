"""The levers of local public decision-makers: what an authority does for an initiative.

The classification comes from the 2021 study of the Agence nationale de la cohésion des
territoires (ANCT) on the social and solidarity economy in fragile territories: six levers,
each with the tools an authority picks from. It is fixed by the study, so it lives in code
(a tool's code is stored; its lever is derived from it)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tool:
    code: str
    label: str


@dataclass(frozen=True)
class Lever:
    code: str
    label: str
    tools: tuple[Tool, ...]


LEVERS: tuple[Lever, ...] = (
    Lever(
        "financement",
        "Partenariats financiers directs",
        (
            Tool("subvention-fonctionnement", "Subvention de fonctionnement"),
            Tool("subvention-investissement", "Subvention d'investissement"),
            Tool("appel-a-projets", "Appel à projets ou à manifestation d'intérêt"),
            Tool("avance-remboursable", "Avance remboursable, prêt d'honneur, garantie"),
            Tool("capital", "Entrée au capital (SCIC, fonds territorial)"),
            Tool("convention-pluriannuelle", "Convention pluriannuelle d'objectifs"),
        ),
    ),
    Lever(
        "apports-en-nature",
        "Apports en nature",
        (
            Tool("locaux", "Mise à disposition de locaux"),
            Tool("foncier", "Mise à disposition de foncier ou de bâti"),
            Tool("materiel", "Prêt de matériel ou de véhicules"),
            Tool("personnel", "Mise à disposition de personnel"),
        ),
    ),
    Lever(
        "commande-publique",
        "Commande publique responsable",
        (
            Tool("clause-sociale", "Clause sociale d'insertion"),
            Tool("clause-environnementale", "Clause environnementale"),
            Tool("marche-reserve", "Marché réservé (SIAE, entreprises adaptées)"),
            Tool("allotissement", "Allotissement et sourçage des structures de l'ESS"),
            Tool("schema-achats", "Schéma de promotion des achats responsables"),
        ),
    ),
    Lever(
        "accompagnement",
        "Accompagnement et ingénierie",
        (
            Tool("ingenierie-projet", "Ingénierie de projet, étude d'opportunité"),
            Tool("incubateur", "Incubateur, couveuse, fabrique à initiatives"),
            Tool("formation", "Formation des porteurs de projet"),
            Tool("mise-en-reseau", "Mise en relation avec des partenaires"),
        ),
    ),
    Lever(
        "promotion",
        "Promotion auprès du public",
        (
            Tool("communication", "Communication de la collectivité"),
            Tool("evenement", "Événement, mois de l'ESS, trophées"),
            Tool("label", "Label ou marque territoriale"),
        ),
    ),
    Lever(
        "animation",
        "Co-animation de dynamiques collectives",
        (
            Tool("gouvernance-partagee", "Gouvernance partagée, comité de pilotage"),
            Tool("pole-territorial", "Pôle territorial de coopération économique (PTCE)"),
            Tool("conseil-local-ess", "Conseil local ou assises de l'ESS"),
            Tool("reseau-acteurs", "Animation d'un réseau d'acteurs"),
        ),
    ),
)

LEVER_CHOICES = [(lever.code, lever.label) for lever in LEVERS]
TOOL_CHOICES = [
    (lever.label, [(tool.code, tool.label) for tool in lever.tools]) for lever in LEVERS
]
LEVER_OF_TOOL = {tool.code: lever.code for lever in LEVERS for tool in lever.tools}
TOOL_LABELS = {tool.code: tool.label for lever in LEVERS for tool in lever.tools}
LEVER_LABELS = dict(LEVER_CHOICES)
