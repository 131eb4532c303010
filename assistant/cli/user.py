"""``shenbao user add|list|remove|passwd``: staff and admin accounts of the web pages."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import Any


def register(sub: Any) -> None:
    """Add the ``user`` subcommand group."""
    p = sub.add_parser("user", help="管理工作人员账户（add/list/remove/passwd）",
                       description="网页登录账户：staff（热线工作人员：条款检索、反馈查看、规则核对）与 admin"
                                   "（另可上传/删除公告、重新索引、管理用户、导出反馈）。密码只以 bcrypt 哈希保存。")
    s = p.add_subparsers(dest="user_command", metavar="ACTION")
    add = s.add_parser("add", help="新建账户")
    add.add_argument("username")
    add.add_argument("--role", choices=["staff", "admin"], default="staff", help="角色（默认 staff）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（脚本用），否则交互输入")
    add.set_defaults(func=_add)
    ls = s.add_parser("list", help="列出账户")
    ls.set_defaults(func=_list)
    rm = s.add_parser("remove", help="删除账户")
    rm.add_argument("username")
    rm.set_defaults(func=_remove)
    pw = s.add_parser("passwd", help="修改密码")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码")
    pw.set_defaults(func=_passwd)
    role = s.add_parser("role", help="修改角色")
    role.add_argument("username")
    role.add_argument("role", choices=["staff", "admin"])
    role.set_defaults(func=_role)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def store() -> Any:
    """The account store of the current data dir."""
    from assistant.auth import AuthSettings, AuthStore

    return AuthStore(AuthSettings.from_env().store_path)


def read_password(from_stdin: bool) -> str:
    """A new password: one stdin line, or typed twice without echo."""
    from assistant.errors import InputError

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise InputError("两次输入的密码不一致，未作修改。")
    return first


def _add(args: argparse.Namespace) -> int:
    from assistant.auth.store import check_password, check_username

    check_username(args.username)  # before asking for a password
    password = read_password(args.password_stdin)
    check_password(password)
    user = store().add_user(args.username, password, args.role)
    print(f"已新建账户 {user.username}（{user.role.label}）。")
    return 0


def _list(args: argparse.Namespace) -> int:
    users = store().users()
    if not users:
        print("还没有账户。新建：shenbao user add NAME --role admin")
        return 0
    for u in users:
        print(f"{u.username:<24} {u.role.value:<6} 创建于 {time.strftime('%Y-%m-%d %H:%M', time.localtime(u.created))}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    store().remove_user(args.username)
    print(f"已删除账户 {args.username}（其网页登录在下次操作时失效）。")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    st = store()
    if st.user(args.username) is None:
        from assistant.errors import NotFoundError

        raise NotFoundError(f"没有用户 {args.username}（`shenbao user list` 可查看全部用户）。")
    st.set_password(args.username, read_password(args.password_stdin))
    print(f"已修改 {args.username} 的密码。")
    return 0


def _role(args: argparse.Namespace) -> int:
    store().set_role(args.username, args.role)
    print(f"已将 {args.username} 的角色改为 {args.role}（其网页登录在下次操作时失效）。")
    return 0
