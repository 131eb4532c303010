"""``shenbao serve [--host H] [--port P]``: the HTTP API (OpenAI-compatible) with FastAPI + uvicorn."""

from __future__ import annotations

import argparse
import ipaddress
import logging
from typing import Any

log = logging.getLogger("shenbao.api")


def register(sub: Any) -> None:
    """Add the ``serve`` subcommand."""
    p = sub.add_parser("serve", help="启动 HTTP API（OpenAI 兼容，model=shenbao）",
                       description="启动 HTTP API：/v1/chat/completions（OpenAI 协议）、/v1/search、/v1/check、"
                                   "/v1/notices 等；接口文档见 /docs。")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；对外服务用 0.0.0.0）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--offline", action="store_true", help="即使配置了模型也只用离线答案")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    import uvicorn

    from assistant.answer import AnswerService
    from assistant.api import create_app
    from assistant.auth import AuthSettings
    from assistant.config import get_settings
    from assistant.errors import InputError

    if not 0 < args.port < 65536:
        raise InputError(f"--port 应在 1 到 65535 之间，收到 {args.port}。")
    settings = get_settings()
    auth = AuthSettings.from_env(settings)
    try:
        public = not ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        public = args.host not in {"localhost"}
    if public and not auth.api_require_key:
        print("提示：API 对外开放且未设置 SHENBAO_API_REQUIRE_KEY=1，问答与检索接口无需密钥即可访问；"
              "管理接口始终需要密钥。")
    app = create_app(settings, auth, AnswerService(settings, use_llm=False if args.offline else None), warm=True)
    print(f"申报助手 API：http://{args.host}:{args.port}/v1 （模型 shenbao；接口文档 /docs；Ctrl-C 停止）", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                server_header=False, timeout_graceful_shutdown=5)
    return 0
