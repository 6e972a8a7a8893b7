"""`ozbot check --online`: do Telegram and Slack accept the tokens? One call each, as the
connectors make it at start-up (Telegram's getMe, Slack's auth.test), nothing else."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.errors import ConnectorError
from connectors.slack import auth_test
from connectors.slack_settings import SlackSettings
from connectors.telegram_settings import TelegramSettings

TIMEOUT_SECONDS = 10.0


async def telegram_bot_name(settings: TelegramSettings) -> str:
    """The bot's @username as getMe tells it; raises ConnectorError saying what to fix."""
    bot = Bot(settings.token, base_url=settings.base_url)
    try:
        async with bot:  # initialize() asks getMe
            return f"@{bot.username}"
    except InvalidToken as exc:
        raise ConnectorError(
            "Telegram rejected TELEGRAM_TOKEN (getMe: unauthorized); copy the token @BotFather "
            "gave (/mybots, API Token)"
        ) from exc
    except TelegramError as exc:
        raise ConnectorError(
            f"cannot reach Telegram's Bot API at {settings.base_url}: {exc}; check the network "
            "and TELEGRAM_API_BASE_URL"
        ) from exc


async def slack_bot_name(settings: SlackSettings) -> str:
    """The bot user and workspace as auth.test tells them; raises ConnectorError."""
    client = AsyncWebClient(
        token=settings.bot_token, base_url=settings.api_url, timeout=int(TIMEOUT_SECONDS)
    )
    answer = await auth_test(client, settings.api_url)
    return f"{answer.get('user') or answer.get('user_id')} in {answer.get('team')}"
