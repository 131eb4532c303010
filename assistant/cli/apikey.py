"""``shenbao apikey create|list|revoke``: keys of the HTTP API (``Authorization: Bearer …``)."""

from __future__ import annotations

import argparse
import time
from typing import Any


def register(sub: Any) -> None:
    """Add the ``apikey`` subcommand group."""
    p = sub.add_parser("apikey", help="管理 HTTP API 密钥（create/list/revoke）",
                       description="API 密钥只在创建时显示一次，库中只存其 SHA-256 摘要。")
    s = p.add_subparsers(dest="apikey_command", metavar="ACTION")
    create = s.add_parser("create", help="新建密钥（只显示这一次）")
    create.add_argument("--role", choices=["staff", "admin"], required=True, help="staff：检索与反馈；admin：另可管理公告")
    create.add_argument("--label", default="", help="备注，如“Open WebUI”")
    create.set_defaults(func=_create)
    ls = s.add_parser("list", help="列出密钥（不含密钥本身）")
    ls.set_defaults(func=_list)
    rv = s.add_parser("revoke", help="撤销密钥")
    rv.add_argument("key_id", help="密钥编号（list 中的 ID，即 sbk_ 后的 10 位）")
    rv.set_defaults(func=_revoke)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _store() -> Any:
    from assistant.cli.user import store

    return store()


def _create(args: argparse.Namespace) -> int:
    key, rec = _store().create_key(args.role, args.label)
    print(key)
    print(f"（{rec.role.label}密钥 {rec.key_id}；只显示这一次，请妥善保存。请求头：Authorization: Bearer <密钥>）")
    return 0


def _list(args: argparse.Namespace) -> int:
    keys = _store().api_keys()
    if not keys:
        print("还没有密钥。新建：shenbao apikey create --role staff")
    for k in keys:
        state = "已撤销" if k.revoked else "有效"
        made = time.strftime("%Y-%m-%d %H:%M", time.localtime(k.created))
        print(f"{k.key_id}  {k.role.value:<6} {state:<4} {made}  {k.label}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    _store().revoke_key(args.key_id)
    print(f"已撤销密钥 {args.key_id}。")
    return 0
