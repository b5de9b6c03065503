"""``/api/v1/banks``: the banks you are a member of, their members and audit trail."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import g, request
from flask.views import MethodView

from itembank import driver_statement
from itembank.access import ensure_visible, remember_roles, require_role, roles_in
from itembank.api import auth
from itembank.api.auth import current_user
from itembank.api.common import Extended, make_blueprint
from itembank.api.schemas import (
    AuditPageOut,
    AuditQuery,
    BankCreateIn,
    BankDetailOut,
    BankOut,
    BankSettingsIn,
    MemberIn,
    MemberOut,
)
from itembank.errors import NotFound
from itembank.extensions import db
from itembank.models import AuditEvent, Bank, Item, Membership, Role, User
from itembank.models._types import utcnow
from itembank.operations import accounts

blp = make_blueprint("banks", "Banks, their members and their audit trail.")


def _with_roles(*columns: Any) -> sa.Select[Any]:
    """``columns`` of the bank by its code (the parameter ``code``), each row with one
    of the reader's (``actor_id``) roles in it, or one row with none."""
    return (
        sa.select(*columns, Membership.role)
        .outerjoin(
            Membership,
            sa.and_(
                Membership.bank_id == Bank.id,
                Membership.user_id == sa.bindparam("actor_id", type_=sa.Integer),
            ),
        )
        .where(Bank.code == sa.bindparam("code", type_=sa.String))
    )


#: The bank by its code, with the reader's roles in it; built once (building the
#: statement cost about as much as running it).
_BANK_WITH_ROLES = _with_roles(Bank)
#: The same with the bank's id and code alone.
_BANK_ID_WITH_ROLES = _with_roles(Bank.id.label("bank_id"), Bank.code)


def visible_bank(code: str, actor: User) -> Bank:
    """The bank, if ``actor`` is a member (or an administrator); else NotFound. The
    actor's roles in it are read in the same query (one row per role)."""
    rows = db.session.execute(
        _BANK_WITH_ROLES, {"code": (code or "").upper(), "actor_id": actor.id}
    ).all()
    if not rows:
        raise NotFound(f"no bank {code!r}")
    bank = rows[0][0]
    remember_roles(actor, bank.id, {role for _, role in rows if role is not None})
    ensure_visible(actor, bank)
    return bank


def visible_bank_ref(code: str, actor: User) -> Any:
    """:func:`visible_bank` for a caller that reads only the bank's ``id`` and ``code``
    (the item listing): a plain object with them, not the bank as an object of the
    session (loading it was a sixth of a listing page). The same rules and answers.
    When :func:`authenticate_with_bank` read them with the token, nothing is read."""
    wanted = (code or "").upper()
    read = g.pop("bank_with_roles", None)
    if read is not None and read[0] == wanted:
        rows = [row for row in read[1] if row.bank_id is not None]
    else:
        rows = db.session.execute(_BANK_ID_WITH_ROLES, {"code": wanted, "actor_id": actor.id}).all()
    if not rows:
        raise NotFound(f"no bank {code!r}")
    bank = SimpleNamespace(id=rows[0].bank_id, code=rows[0].code)
    remember_roles(actor, bank.id, {row.role for row in rows if row.role is not None})
    ensure_visible(actor, bank)  # type: ignore[arg-type]
    return bank


#: The token with the bank (by the parameter ``code``) and the token's user's roles in
#: it: a row for each role, or one with none, or one without a bank.
_TOKEN_BANK_ROLES = (
    auth.with_token(Bank.id.label("bank_id"), Bank.code, Membership.role)
    .outerjoin(Bank, Bank.code == sa.bindparam("code", type_=sa.String))
    .outerjoin(Membership, sa.and_(Membership.bank_id == Bank.id, Membership.user_id == User.id))
)
#: The same through psycopg's cursor on PostgreSQL (:mod:`itembank.driver_statement`):
#: SQLAlchemy's execution of it is left out, and it is a transaction of its own.
_TOKEN_BANK_ROLES_SENT = driver_statement.DriverStatement(_TOKEN_BANK_ROLES)


def authenticate_with_bank() -> None:
    """:func:`itembank.api.auth.authenticate` for a request on the bank its URL names
    (``bank_code``), in one statement with the bank and the user's roles in it, which
    :func:`visible_bank_ref` then uses: one round trip instead of two. The same 401s;
    the bank's 404 comes later, from the view, as it did (the user is then the token's
    :class:`~itembank.api.auth.Reader`)."""
    code = str((request.view_args or {}).get("bank_code") or "").upper()
    token_hash = auth.bearer_token_hash()
    now = utcnow()
    params = {"presented_hash": token_hash, "code": code}
    if driver_statement.available(db.engine):
        # A transaction of its own, outside the session (PostgreSQL's READ COMMITTED
        # takes a snapshot per statement anyway): the session has nothing to commit.
        found: list[Any] = _TOKEN_BANK_ROLES_SENT.committed_rows(db.session(), params)
    else:
        found = db.session.execute(_TOKEN_BANK_ROLES, params).all()
    auth.accept_token(found[0] if found else None, now)
    g.bank_with_roles = (code, found)


@blp.route("/banks")
class Banks(MethodView):
    @blp.response(200, BankOut(many=True))
    def get(self) -> Any:
        """The banks you are a member of (administrators: every bank)"""
        actor = current_user()
        query = sa.select(Bank).order_by(Bank.code)
        if not actor.is_admin:
            mine = sa.select(Membership.bank_id).where(Membership.user_id == actor.id)
            query = query.where(Bank.id.in_(mine))
        return db.session.scalars(query).all()

    @blp.arguments(BankCreateIn)
    @blp.response(201, BankDetailOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a bank (administrators)"""
        actor = current_user()
        bank = accounts.create_bank(
            data["code"],
            data["name"],
            actor=actor,
            language=data["language"],
            required_approvals=data["required_approvals"],
        )
        return Extended(bank, my_roles=[]), {"Location": f"{blp.url_prefix}/banks/{bank.code}"}


@blp.route("/banks/<bank_code>")
class BankByCode(MethodView):
    @blp.response(200, BankDetailOut)
    def get(self, bank_code: str) -> Any:
        """A bank, with your roles in it"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        return Extended(bank, my_roles=sorted(r.value for r in roles_in(actor, bank)))

    @blp.arguments(BankSettingsIn)
    @blp.response(200, BankDetailOut)
    def patch(self, data: dict[str, Any], bank_code: str) -> Any:
        """Change the bank's settings (bank admins)

        Required approvals, writing rules, review checklist, answer keys of draft forms,
        statistics flag thresholds; a setting left out stays as it is.
        """
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        accounts.update_bank_settings(
            bank,
            actor=actor,
            required_approvals=data.get("required_approvals"),
            writing_rules=data.get("writing_rules"),
            review_checklist=data.get("review_checklist"),
            answer_key_from_drafts=data.get("answer_key_from_drafts"),
            statistics_thresholds=data.get("statistics_thresholds"),
        )
        return Extended(bank, my_roles=sorted(r.value for r in roles_in(actor, bank)))


@blp.route("/banks/<bank_code>/members")
class Members(MethodView):
    @blp.response(200, MemberOut(many=True))
    def get(self, bank_code: str) -> Any:
        """The bank's members and their roles (any member)"""
        bank = visible_bank(bank_code, current_user())
        return db.session.scalars(
            sa.select(Membership)
            .join(Membership.user)
            .where(Membership.bank_id == bank.id)
            .order_by(User.username, Membership.role)
        ).all()

    @blp.arguments(MemberIn)
    @blp.response(201, MemberOut)
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Give a user a role in the bank (bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        require_role(actor, bank, Role.BANK_ADMIN, doing="manage members")
        user = accounts.get_user(data["username"])
        return accounts.add_member(bank, user, data["role"], actor=actor)


@blp.route("/banks/<bank_code>/members/<username>/<role>")
class MemberRole(MethodView):
    @blp.response(204)
    def delete(self, bank_code: str, username: str, role: str) -> None:
        """Take a role away from a member (bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        require_role(actor, bank, Role.BANK_ADMIN, doing="manage members")
        if role not in {r.value for r in Role}:
            raise NotFound(f"no role {role!r}; roles are: {', '.join(r.value for r in Role)}")
        accounts.remove_member(bank, accounts.get_user(username), role, actor=actor)


@blp.route("/banks/<bank_code>/audit")
class BankAudit(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPageOut)
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """The bank's audit events, newest first (bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        require_role(actor, bank, Role.BANK_ADMIN, doing="read the audit trail")
        conditions = [AuditEvent.bank_id == bank.id]
        if query.get("action"):
            conditions.append(AuditEvent.action == query["action"])
        if query.get("item"):
            conditions.append(
                AuditEvent.item_id.in_(sa.select(Item.id).where(Item.external_id == query["item"]))
            )
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(*conditions)
        )
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(*conditions)
            .order_by(AuditEvent.id.desc())
            .limit(query["per_page"])
            .offset((query["page"] - 1) * query["per_page"])
        ).all()
        return {
            "events": events,
            "total": total,
            "page": query["page"],
            "per_page": query["per_page"],
        }
