"""Writes of accounts: the role groups and their permissions, account creation and deletion."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page
from wagtail.snippets.models import create_extra_permissions

from essor.accounts.models import User
from essor.core.roles import GROUP_NAMES, Role

# Apps whose models editors manage in the admin; administrators get everything.
EDITOR_APPS = [
    "members",
    "initiatives",
    "library",
    "events",
    "news",
    "letters",
    "ingest",
    "search",
    "wagtailimages",
    "wagtaildocs",
    "wagtailredirects",
    "taggit",
]
# Shared lists editors keep up to date.
EDITOR_MODELS = [("core", "theme")]
# The referential changes only through imports: editors read it, administrators may correct it.
EDITOR_READ_ONLY_APPS = ["territories"]
# Money is the administrators' business: editors see the dues, do not change them.
EDITOR_READ_ONLY_MODELS = [("members", "dues")]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


@transaction.atomic
def roles_ensure() -> dict[Role, Group]:
    """Create the role groups with their permissions. Idempotent: the editors' permissions
    are reset to what this module defines, the other groups get what is missing."""
    # post_migrate reaches this app before later apps have their permissions: create them all.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    # …and Wagtail's publish/lock permissions of snippets with drafts, made after this app's.
    create_extra_permissions(apps.get_app_config("wagtailsnippets"))
    groups = {role: Group.objects.get_or_create(name=name)[0] for role, name in GROUP_NAMES.items()}
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    groups[Role.EDITOR].permissions.set([*access_admin, *_editor_permissions()])
    groups[Role.ADMINISTRATOR].permissions.add(*Permission.objects.all())
    root = Page.get_first_root_node()
    collection = Collection.get_first_root_node()
    for role in (Role.EDITOR, Role.ADMINISTRATOR):
        group = groups[role]
        if root is not None:
            for permission in Permission.objects.filter(
                content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS
            ):
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=permission
                )
        if collection is not None:
            for app_label, codenames in EDITOR_COLLECTION_PERMISSIONS.items():
                for permission in Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                ):
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=collection, permission=permission
                    )
    return groups


def _editor_permissions() -> list[Permission]:
    read_only = Q()
    for app_label, model in EDITOR_READ_ONLY_MODELS:
        read_only |= Q(content_type__app_label=app_label, content_type__model=model)
    models = Q()
    for app_label, model in EDITOR_MODELS:
        models |= Q(content_type__app_label=app_label, content_type__model=model)
    granted = Permission.objects.filter(
        Q(content_type__app_label__in=EDITOR_APPS)
        | models
        | Q(content_type__app_label__in=EDITOR_READ_ONLY_APPS, codename__startswith="view_")
    ).exclude(read_only & ~Q(codename__startswith="view_"))
    return list(granted)


def roles_ensure_after_migrate(sender: object, **kwargs: object) -> None:
    roles_ensure()


@transaction.atomic
def account_create(
    email: str,
    *,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> User:
    """Create an account holding `role` (visitor means no group)."""
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMINISTRATOR,
    )
    if role in GROUP_NAMES:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user


def account_set_role(user: User, role: Role) -> None:
    """Give the user exactly this role (removing the other role groups)."""
    role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    user.groups.remove(*role_groups)
    if role in GROUP_NAMES:
        user.groups.add(role_groups.get(name=GROUP_NAMES[role]))
    user.is_staff = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_essor_role", None)


@transaction.atomic
def account_delete(user: User) -> None:
    """Delete the account and what belongs only to it (modules cascade from the user)."""
    user.delete()
