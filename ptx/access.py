"""Who may see what: an access restriction that is not a filter, and the roles file that maps
signed-in users to it.

An :class:`Access` says which departments a viewer may see and what else they may do. It
travels inside :class:`ptx.Filters` (``Filters(access=...)``), and :mod:`ptx.query` ANDs it
into the WHERE clause of every statement it sends, so a restricted viewer's numbers, charts,
lists and exports hold nothing from another department, whatever else the filters or a URL
say. The default ``Access()`` restricts nothing: a notebook that opens a source can read it
all anyway.

Roles (the dashboard's sign-in, see docs/ACCESS.md):

- **analyst**: every department, the Data page, row-level lists, may switch suppression off;
- **executive**: every department, suppression always on, no Data page, no row-level lists;
- **team lead**: only the sites, divisions and departments the roles file gives them,
  suppression always on, no Data page; their own oldest open complaints are listed.

The roles file is TOML, found at ``PTX_ROLES`` or ``./roles.toml``::

    group_claim = "groups"            # the claim that lists a user's groups (default)

    [users."ana.lyst@trust.nhs.uk"]
    role = "analyst"

    [groups."px-board"]
    role = "executive"

    [users."ward.lead@trust.nhs.uk"]
    role = "team lead"
    divisions = ["Medicine"]
    departments = ["Emergency Department"]   # names or ids
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ptx.config import read_settings_text
from ptx.errors import ConfigError, PtxError

ROLES_ENV = "PTX_ROLES"
ROLES_FILE = "roles.toml"  # in the current folder, when PTX_ROLES is not set
DEFAULT_GROUP_CLAIM = "groups"

ANALYST, EXECUTIVE, TEAM_LEAD = "analyst", "executive", "team lead"
# role -> (every department, may switch suppression, may see the Data page, row-level lists)
PERMISSIONS: dict[str, tuple[bool, bool, bool, bool]] = {
    ANALYST: (True, True, True, True),
    EXECUTIVE: (True, False, False, False),
    TEAM_LEAD: (False, False, False, True),
}
SCOPE_KEYS = ("sites", "divisions", "departments")
WITHOUT_SIGN_IN = "without sign-in"  # the role of every viewer when sign-in is not configured
# What a proxy adds to a request it forwards: a viewer behind one is not on this machine.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def _names(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value or ())


@dataclass(frozen=True)
class Access:
    """What a viewer may see and do. Not a filter: the viewer cannot widen it.

    With ``every_department`` False the viewer sees the departments in any of ``sites``, any
    of ``divisions`` and each of ``departments`` (ids or names), and nothing else; with all
    three empty, nothing at all.
    """

    every_department: bool = True
    sites: tuple[str, ...] = ()
    divisions: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    may_switch_suppression: bool = True
    may_see_data_page: bool = True
    may_see_row_level: bool = True
    role: str = "unrestricted"  # analyst, executive, team lead, or how access was decided
    user: str = ""  # who signed in, for the screen

    def __post_init__(self) -> None:
        for name in SCOPE_KEYS:
            object.__setattr__(self, name, _names(getattr(self, name)))
        if self.every_department and any(getattr(self, k) for k in SCOPE_KEYS):
            raise PtxError(
                "An access to every department lists no sites, divisions or departments; "
                "give every_department=False to restrict it to them."
            )

    @classmethod
    def nothing(cls, user: str = "", role: str = "no role") -> Access:
        """No department at all: a signed-in user the roles file does not name."""
        return cls(False, (), (), (), False, False, False, role, user)

    @property
    def restricted(self) -> bool:
        return not self.every_department

    @property
    def unsigned(self) -> bool:
        """Whether this is the access of a dashboard without sign-in."""
        return self.role.startswith(WITHOUT_SIGN_IN)

    @property
    def sees_nothing(self) -> bool:
        return self.restricted and not any(getattr(self, k) for k in SCOPE_KEYS)

    def describe(self) -> str:
        """The access in words: "team lead · Medicine, Emergency Department"."""
        if self.sees_nothing:
            return f"{self.role} · no departments"
        if self.every_department:
            return f"{self.role} · every department"
        return f"{self.role} · " + ", ".join((*self.sites, *self.divisions, *self.departments))


def without_sign_in(viewer_is_local: bool) -> Access:
    """The access of a dashboard without sign-in: every department and the Data page, as
    before sign-in existed; suppression may be switched off only by a viewer on the
    dashboard's own machine (a single-user run), never by one reaching it over the network.
    See docs/ACCESS.md."""
    role = f"{WITHOUT_SIGN_IN} (this machine)" if viewer_is_local else WITHOUT_SIGN_IN
    return Access(may_switch_suppression=viewer_is_local, role=role)


def viewer_is_local(ip_address: object, headers: Mapping[str, str] | None) -> bool:
    """Whether a viewer is on the dashboard's own machine.

    ``headers`` are those of the viewer's connection (``st.context.headers``) and
    ``ip_address`` its TCP peer (``st.context.ip_address``: None for a loopback peer). No
    headers at all means no browser connection (a script run in-process, as AppTest does):
    local. Otherwise the peer must be a loopback address and no proxy may have forwarded the
    request (a proxy on the same machine would make every viewer look local)."""
    if not headers:
        return True
    if any(str(h).lower() in FORWARDING_HEADERS for h in headers):
        return False
    if ip_address is None:
        return True
    try:
        return isinstance(ip_address, str) and ipaddress.ip_address(ip_address).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Grant:
    """One entry of the roles file: a role, and for a team lead the departments it covers."""

    role: str
    sites: tuple[str, ...] = ()
    divisions: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleMap:
    """The roles file: users by email and groups by name, each to a :class:`Grant`."""

    users: Mapping[str, Grant] = field(default_factory=lambda: MappingProxyType({}))
    groups: Mapping[str, Grant] = field(default_factory=lambda: MappingProxyType({}))
    group_claim: str = DEFAULT_GROUP_CLAIM
    path: Path | None = None

    def grants_for(self, claims: Mapping[str, object]) -> list[Grant]:
        """The grants a signed-in user's claims match: their email (only when the provider
        has not said it is unverified) and each of their groups."""
        found = []
        email = claims.get("email")
        if isinstance(email, str) and claims.get("email_verified") is not False:
            found += [self.users[email.lower()]] if email.lower() in self.users else []
        groups = claims.get(self.group_claim)
        for group in _names(groups) if isinstance(groups, (str, list, tuple)) else ():
            if isinstance(group, str) and group in self.groups:
                found.append(self.groups[group])
        return found

    def access_for(self, claims: Mapping[str, object]) -> Access:
        """What a signed-in user may see: everything each matching grant gives (grants add
        up); a user no entry names sees nothing.

        >>> roles.access_for({"email": "ward.lead@trust.nhs.uk"}).describe()  # doctest: +SKIP
        'team lead · Medicine, Emergency Department'
        """
        user = str(claims.get("email") or claims.get("name") or claims.get("sub") or "")
        grants = self.grants_for(claims)
        if not grants:
            return Access.nothing(user)
        everything, switch, data, rows = (
            any(PERMISSIONS[g.role][i] for g in grants) for i in range(4)
        )
        if everything:
            scope = {}
        else:
            scope = {
                key: tuple(dict.fromkeys(n for g in grants for n in getattr(g, key)))
                for key in SCOPE_KEYS
            }
        # The broadest role names the user on screen: analyst, then executive, then team lead.
        role = min((g.role for g in grants), key=list(PERMISSIONS).index)
        return Access(
            everything,
            **scope,
            may_switch_suppression=switch,
            may_see_data_page=data,
            may_see_row_level=rows,
            role=role,
            user=user,
        )


def roles_path(path: str | Path | None = None) -> Path | None:
    """The roles file: ``path``, else ``PTX_ROLES``, else ``./roles.toml`` if it exists."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ROLES_ENV)
    if env:
        return Path(env)
    return Path(ROLES_FILE) if Path(ROLES_FILE).is_file() else None


def load_roles(path: str | Path | None = None) -> RoleMap:
    """Read and check the roles file (see :func:`roles_path`). Raises :class:`ConfigError`
    saying what is wrong and how to fix it, also when there is no roles file at all."""
    found = roles_path(path)
    if found is None:
        raise ConfigError(
            f"Sign-in is configured but there is no roles file, so nobody may see anything: "
            f"set {ROLES_ENV} to its path or put a {ROLES_FILE} in the dashboard's folder "
            "(see examples/roles.toml and docs/ACCESS.md)."
        )
    if not found.is_file():
        raise ConfigError(f"Roles file {found} does not exist ({ROLES_ENV} names it).")
    return parse_roles(read_settings_text(found), found)


def parse_roles(text: str, path: Path | None = None) -> RoleMap:
    """The roles file's text, checked (see :func:`load_roles`)."""
    where = str(path or "roles file")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from exc
    _known(raw, ("group_claim", "users", "groups"), where)
    claim = raw.get("group_claim", DEFAULT_GROUP_CLAIM)
    if not isinstance(claim, str) or not claim:
        raise ConfigError(f'{where}: group_claim is the name of a claim, e.g. "groups".')
    tables = {}
    for kind in ("users", "groups"):
        section = raw.get(kind, {})
        if not isinstance(section, dict):
            raise ConfigError(f'{where}: {kind} is a table: [{kind}."name"] with role = "…".')
        tables[kind] = {
            (name.lower() if kind == "users" else name): _grant(
                entry, f'{where}: [{kind}."{name}"]'
            )
            for name, entry in section.items()
        }
    if not tables["users"] and not tables["groups"]:
        raise ConfigError(
            f'{where} names nobody: add [users."someone@example.org"] or [groups."name"] '
            'entries with role = "analyst", "executive" or "team lead".'
        )
    return RoleMap(
        MappingProxyType(tables["users"]), MappingProxyType(tables["groups"]), claim, path
    )


def _known(raw: Mapping, allowed: Iterable[str], where: str) -> None:
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ConfigError(
            f"{where} has unknown setting(s) {unknown}; allowed: {', '.join(allowed)}."
        )


def _role(value: object, where: str) -> str:
    spelled = str(value).strip().lower().replace("_", " ").replace("-", " ")
    if spelled in PERMISSIONS:
        return spelled
    close = difflib.get_close_matches(spelled, list(PERMISSIONS), n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"{where} has role {value!r}; use one of {', '.join(map(repr, PERMISSIONS))}.{hint}"
    )


def _grant(entry: object, where: str) -> Grant:
    if not isinstance(entry, dict):
        raise ConfigError(f'{where} is a table with role = "…"; write it as a [section].')
    _known(entry, ("role", *SCOPE_KEYS), where)
    if "role" not in entry:
        raise ConfigError(f'{where} has no role: add role = "analyst", "executive" or "team lead".')
    role = _role(entry["role"], where)
    scope = {}
    for key in SCOPE_KEYS:
        value = entry.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f'{where}: {key} is a list of names, e.g. {key} = ["…"].')
        scope[key] = tuple(value)
    if role == TEAM_LEAD and not any(scope.values()):
        raise ConfigError(
            f'{where} is a team lead of nothing: add divisions = ["…"] or departments = '
            '["…"] (sites = ["…"] for a whole site).'
        )
    if role != TEAM_LEAD and any(scope.values()):
        listed = ", ".join(k for k in SCOPE_KEYS if scope[k])
        raise ConfigError(
            f"{where}: an {role} sees every department, so {listed} would narrow nothing; "
            'remove them, or make the role "team lead".'
        )
    return Grant(role, **scope)


__all__ = [
    "ANALYST",
    "EXECUTIVE",
    "TEAM_LEAD",
    "Access",
    "Grant",
    "RoleMap",
    "load_roles",
    "parse_roles",
    "roles_path",
    "viewer_is_local",
    "without_sign_in",
]
