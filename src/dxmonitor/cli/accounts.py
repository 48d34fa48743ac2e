"""User accounts, their roles and API tokens."""

import argparse
import getpass
import secrets
import sys

from .common import Adder, Subcommands, account, say, unit_for


def cmd_user_create(args: argparse.Namespace) -> int:
    from dxmonitor.accounts.actions import ensure_user

    password = None
    generated = False
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.username}: ")
    if not password:
        password, generated = secrets.token_urlsafe(12), True
    _, created = ensure_user(username=args.username, password=password, is_admin=args.admin)
    role = " (administrator)" if args.admin else ""
    say(f"user {args.username} {'created' if created else 'updated'}{role}")
    if generated:
        say(f"password: {password}")
    return 0


def cmd_user_grant(args: argparse.Namespace) -> int:
    from dxmonitor.accounts.actions import grant_role

    unit = unit_for(args)
    grant_role(user=account(args.username), role=args.role, unit=unit)
    say(f"{args.username}: {args.role} over {unit.name if unit else 'the whole country'}")
    return 0


def cmd_user_revoke(args: argparse.Namespace) -> int:
    from dxmonitor.accounts.actions import revoke_role

    unit = unit_for(args)
    removed = revoke_role(user=account(args.username), role=args.role, unit=unit)
    say(f"{args.username}: {removed} role removed")
    return 0 if removed else 1


def cmd_user_list(args: argparse.Namespace) -> int:
    from dxmonitor.accounts.queries import users_with_roles

    for user in users_with_roles():
        roles = ", ".join(f"{a.role}@{a.unit.code if a.unit_id else 'VN'}" for a in user.roles.all())
        flag = " (superuser)" if user.is_superuser else ""
        say(f"{user.username}{flag}: {roles or 'no role'}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from dxmonitor.accounts.actions import create_token

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"error: no user {args.username}", file=sys.stderr)
        return 1
    token, plain = create_token(user=user, name=args.name)
    say(f"token {token.name} for {args.username} (shown once, keep it safe):")
    say(plain)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from dxmonitor.accounts.models import ApiToken

    for token in ApiToken.objects.select_related("user"):
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        used = f"last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
        say(f"{token.prefix}…  {token.user.username:<16} {token.name:<24} {state}, {used}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from dxmonitor.accounts.actions import revoke_token
    from dxmonitor.accounts.models import ApiToken

    tokens = list(ApiToken.objects.filter(prefix=args.prefix[:12], revoked_at__isnull=True))
    if len(tokens) != 1:
        print(f"error: no single active token starts with {args.prefix!r}", file=sys.stderr)
        return 1
    revoke_token(token=tokens[0])
    say(f"token {tokens[0].prefix}… ({tokens[0].name}) revoked")
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    user = sub.add_parser("user", help="user accounts").add_subparsers(dest="user_command", required=True)
    user_create = add("create", cmd_user_create, "create a user or reset its password", user)
    user_create.add_argument("username")
    user_create.add_argument("--admin", action="store_true", help="make the user an administrator")
    user_create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add("list", cmd_user_list, "list users and their roles", user)
    for verb, func, text in (
        ("grant", cmd_user_grant, "give a user a role over a unit and everything under it"),
        ("revoke", cmd_user_revoke, "take a role back"),
    ):
        command = add(verb, func, text, user)
        command.add_argument("username")
        command.add_argument("role", help="data_entry, approver, analyst or admin")
        command.add_argument("--unit-code", help="GSO code of the unit (default: the whole country)")
        command.add_argument("--as-of", help="the day whose unit the code means (default: today)")

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    token_create = add("create", cmd_token_create, "create an API token for a machine client", token)
    token_create.add_argument("username")
    token_create.add_argument("name", help="which client will use the token")
    add("list", cmd_token_list, "list API tokens (their first characters, owner, state)", token)
    token_revoke = add("revoke", cmd_token_revoke, "revoke an API token", token)
    token_revoke.add_argument("prefix", help="the first characters of the token, as `token list` shows them")
