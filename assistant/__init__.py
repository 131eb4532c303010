"""shenbao (申报助手): grounded answers about Chinese S&T funding notices."""

__version__ = "0.1.0"
