"""Settings: read once at the edge from CONSULTANT_* variables (and an optional TOML file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from consultant.errors import ConfigError

ENV_PREFIX = "CONSULTANT_"
CONFIG_FILE_VARIABLE = "CONSULTANT_CONFIG_FILE"


class Settings(BaseSettings):
    """Every setting of the product. Build it with `load_settings()`, then pass it down."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    data_dir: Path = Path("./var")
    database_url: str = ""
    broker_url: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=2525, ge=0, le=65535)
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8000, ge=0, le=65535)
    relay_url: str = "smtp://127.0.0.1:2526"
    from_address: str = "coding-desk@consultant.localhost"
    accept_domains: str = ""
    secret_key: str = ""
    max_message_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    template_dir: Path | None = None
    imap_url: str = ""
    imap_done_folder: str = ""  # empty: processed mail stays, flagged \Seen and $Consultant
    imap_poll_seconds: int = Field(default=60, gt=0)
    timezone: str = "UTC"
    sweep_seconds: int = Field(default=60, gt=0)
    send_retries: int = Field(default=5, ge=0)
    # Review console: SLA colouring, claim lifetime, public address for links and cookies.
    sla_hours: float = Field(default=24, gt=0)
    claim_minutes: int = Field(default=30, gt=0)
    public_url: str = ""
    sender_policy: str = Field(default="open", pattern="^(open|registered)$")
    guest_monthly_quota: int | None = Field(default=None, ge=0)
    notice_period_hours: int = Field(default=24, gt=0)
    smtp_tls_cert: Path | None = None
    smtp_tls_key: Path | None = None
    smtp_rate_per_minute: int = Field(default=120, gt=0)
    # Intake writer processes behind the listener; more than one only pays off when the
    # database has cores of its own (on 2 shared cores one writer did as much, for less CPU).
    intake_writers: int = Field(default=1, ge=1, le=16)
    # How far workers lower their CPU priority (nice): a sender waits on its 250 while a
    # draft is queued work, so on a host shared with the listener intake goes first.
    worker_nice: int = Field(default=10, ge=0, le=19)
    # CPUs the workers may run on ("1", "2-7", "0,2"; empty: all). Priority alone does not
    # keep drafting off the cores intake is waiting for: on a host shared with the listener,
    # leaving it a CPU of its own is what keeps intake at full speed during a burst.
    worker_cpus: str = Field(default="", pattern=r"^(\d+(-\d+)?(,\d+(-\d+)?)*)?$")
    # Weekly digest: "mon 07:00" in `timezone`; extra recipients; what an empty week sends.
    digest_schedule: str = Field(
        default="mon 07:00",
        pattern=r"^(?i:mon|tue|wed|thu|fri|sat|sun) ([01]?\d|2[0-3]):[0-5]\d$",
    )
    digest_recipients: str = ""
    digest_empty: str = Field(default="send", pattern="^(send|skip)$")

    @field_validator("relay_url")
    @classmethod
    def _relay_scheme(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        if scheme not in {"smtp", "smtp+starttls", "smtps"}:
            raise ValueError("must start with smtp://, smtp+starttls:// or smtps://")
        return value

    @field_validator("imap_url")
    @classmethod
    def _imap_url(cls, value: str) -> str:
        if value:
            from consultant.mail.imap_url import ImapTarget

            ImapTarget.from_url(value)  # a ValueError says what is wrong
        return value

    @field_validator("from_address")
    @classmethod
    def _from_has_domain(cls, value: str) -> str:
        if "@" not in value or value.startswith("@") or value.endswith("@"):
            raise ValueError("must be an address such as desk@example.com")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Europe/Paris") from None
        return value

    @field_validator("digest_recipients")
    @classmethod
    def _recipient_addresses(cls, value: str) -> str:
        for address in (a.strip() for a in value.split(",")):
            if address and ("@" not in address or address.startswith("@")):
                raise ValueError(f"{address!r} is not an email address")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str) -> str:
        if value and not value.split(":", 1)[0].startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = os.environ.get(CONFIG_FILE_VARIABLE)
        if toml_path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(toml_path)))
        return tuple(sources)

    # Derived values -----------------------------------------------------------------

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'consultant.db'}"

    @property
    def resolved_broker_url(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{self.data_dir.resolve() / 'broker.db'}"

    @property
    def accepted_domains(self) -> frozenset[str]:
        """Recipient domains the listener takes mail for; by default our own domain."""
        listed = {d.strip().lower() for d in self.accept_domains.split(",") if d.strip()}
        return frozenset(listed or {self.from_address.rsplit("@", 1)[1].lower()})

    @property
    def digest_extra_recipients(self) -> list[str]:
        return [a.strip().lower() for a in self.digest_recipients.split(",") if a.strip()]

    @property
    def console_url(self) -> str:
        """Base of links into the review console."""
        return (self.public_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    @property
    def relay(self) -> RelayTarget:
        return RelayTarget.from_url(self.relay_url)


class RelayTarget:
    """Where approved replies go: host, port, TLS mode and optional login."""

    def __init__(self, scheme: str, host: str, port: int, user: str | None, password: str | None):
        self.scheme, self.host, self.port = scheme, host, port
        self.user, self.password = user, password

    @classmethod
    def from_url(cls, url: str) -> RelayTarget:
        parts = urlsplit(url)
        default_port = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[parts.scheme]
        return cls(
            scheme=parts.scheme,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or default_port,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment; a bad value raises ConfigError naming it."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            problems.append(f"{ENV_PREFIX}{field.upper()}: {error['msg']}")
        raise ConfigError("bad setting — " + "; ".join(problems)) from None
