"""Production configuration: the secret key, ./run's local key, ``check --deploy``.

Each case runs in a subprocess with an environment built from scratch (no variable of
the test run leaks in), as a server started by a service manager would.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

ROOT = Path(settings.BASE_DIR)


def clean_env(**variables: str) -> dict[str, str]:
    """PATH and the given variables only; state directories in a temp dir."""
    tmp = tempfile.mkdtemp(prefix="yantai-deploy-")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "yantai.settings",
        "SQLITE_PATH": f"{tmp}/db.sqlite3",
        "PAGE_CACHE_DIR": f"{tmp}/pages",
        "SHARED_CACHE_DIR": f"{tmp}/shared",
        **variables,
    }


def env_example() -> dict[str, str]:
    """The variables .env.example sets (KEY=VALUE lines, comments skipped)."""
    variables = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            variables[key.strip()] = value.strip()
    return variables


def python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


LOAD_SETTINGS = "import yantai.settings as s; print(s.SECRET_KEY)"


class SecretKeyTests(SimpleTestCase):
    def test_debug_off_without_a_key_refuses_to_start(self):
        for variables in ({"DJANGO_DEBUG": "0"}, {}, {"DJANGO_SECRET_KEY": "  "}):
            with self.subTest(variables=variables):
                result = python(LOAD_SETTINGS, clean_env(**variables))
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("ImproperlyConfigured", result.stderr)
                self.assertIn("未设置 DJANGO_SECRET_KEY", result.stderr)
                self.assertIn("DJANGO_SECRET_KEY is not set", result.stderr)
                self.assertNotIn("django-insecure", result.stdout)

    def test_the_wsgi_application_refuses_too(self):
        result = python("import yantai.wsgi", clean_env(DJANGO_DEBUG="0"))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY is not set", result.stderr)

    def test_debug_off_with_a_key_loads_it(self):
        key = secrets.token_urlsafe(50)
        result = python(
            LOAD_SETTINGS, clean_env(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=key)
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), key)

    def test_the_fallback_key_serves_debug_only(self):
        result = python(LOAD_SETTINGS, clean_env(DJANGO_DEBUG="1"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "django-insecure-local-only")


class ManagePyKeyTests(SimpleTestCase):
    """manage.py uses ./run's var/secret_key when the environment has no key."""

    PRINT_KEY = [
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
    ]

    def manage(self, workdir: Path) -> subprocess.CompletedProcess:
        shutil.copy(ROOT / "manage.py", workdir / "manage.py")
        return subprocess.run(
            [sys.executable, str(workdir / "manage.py"), *self.PRINT_KEY],
            env=clean_env(DJANGO_DEBUG="0"),
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def test_the_local_key_file_is_used(self):
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            (workdir / "var").mkdir()
            key = secrets.token_urlsafe(50)
            (workdir / "var" / "secret_key").write_text(key)
            result = self.manage(workdir)
        self.assertEqual(result.returncode, 0, result.stderr)
        # The last line: `shell` may first say what it imported.
        self.assertEqual(result.stdout.strip().splitlines()[-1], key)

    def test_without_a_key_file_it_still_refuses(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = self.manage(Path(tmp))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY is not set", result.stderr)


class DatabaseUrlTests(SimpleTestCase):
    def test_an_empty_database_url_is_the_embedded_sqlite(self):
        env = clean_env(DJANGO_DEBUG="1", DATABASE_URL="")
        result = python(
            "import yantai.settings as s; d = s.DATABASES['default'];"
            " print(d['ENGINE'], d['NAME'])",
            env,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(), ["yantai.sqlite", env["SQLITE_PATH"]])

    def test_postgresql_prepare_threshold(self):
        url = "postgres://yantai:x@127.0.0.1:5432/yantai"
        show = (
            "import yantai.settings as s;"
            " print(s.DATABASES['default']['OPTIONS']['prepare_threshold'])"
        )
        for value, shown in (("", "None"), ("5", "5"), (None, "2")):
            variables = {"DATABASE_URL": url, "DJANGO_DEBUG": "1"}
            if value is not None:
                variables["PG_PREPARE_THRESHOLD"] = value
            with self.subTest(value=value):
                result = python(show, clean_env(**variables))
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout.strip(), shown)
        result = python(
            show,
            clean_env(DATABASE_URL=url, DJANGO_DEBUG="1", PG_PREPARE_THRESHOLD="x"),
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("PG_PREPARE_THRESHOLD 必须是不小于 0 的整数或留空", result.stderr)


def run_function(workdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run ./run's ``use_local_secret_key`` (the function itself, taken from the
    script) in ``workdir`` and print the key it exported."""
    script = (ROOT / "run").read_text(encoding="utf-8")
    start = script.index("use_local_secret_key() {")
    end = script.index("\n}\n", start) + 3
    code = (
        "set -euo pipefail\n"
        + script[start:end]
        + "use_local_secret_key\nbash -c 'printf %s \"$DJANGO_SECRET_KEY\"'\n"
    )
    return subprocess.run(
        ["bash", "-c", code],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


class RunLocalKeyTests(SimpleTestCase):
    """./run makes a random key once, keeps it (mode 600) and exports it."""

    def setUp(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="yantai-run-key-"))
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}

    def test_made_once_kept_private_and_exported(self):
        first = run_function(self.workdir, self.env)
        self.assertEqual(first.returncode, 0, first.stderr)
        key_file = self.workdir / "var" / "secret_key"
        key = key_file.read_text()
        self.assertEqual(first.stdout, key)
        self.assertGreaterEqual(len(key), 50)
        self.assertGreaterEqual(len(set(key)), 5)
        self.assertFalse(key.startswith("django-insecure-"))
        self.assertEqual(stat.S_IMODE(key_file.stat().st_mode), 0o600)
        # Kept: the next start uses the same key (sessions survive a restart).
        second = run_function(self.workdir, self.env)
        self.assertEqual(second.stdout, key)
        self.assertEqual(list((self.workdir / "var").iterdir()), [key_file])

    def test_each_installation_gets_its_own_key(self):
        other = Path(tempfile.mkdtemp(prefix="yantai-run-key-"))
        self.assertNotEqual(
            run_function(self.workdir, self.env).stdout,
            run_function(other, self.env).stdout,
        )

    def test_a_key_from_the_environment_wins(self):
        result = run_function(self.workdir, {**self.env, "DJANGO_SECRET_KEY": "given"})
        self.assertEqual(result.stdout, "given")
        self.assertFalse((self.workdir / "var").exists())

    def test_an_empty_key_file_is_replaced(self):
        (self.workdir / "var").mkdir()
        (self.workdir / "var" / "secret_key").write_text("")
        result = run_function(self.workdir, self.env)
        self.assertGreaterEqual(len(result.stdout), 50)

    def test_the_key_file_is_not_committed(self):
        result = subprocess.run(
            ["git", "check-ignore", "-q", "var/secret_key"], cwd=ROOT, timeout=30
        )
        self.assertEqual(result.returncode, 0, "var/secret_key must be git-ignored")

    def test_every_run_path_uses_it(self):
        script = (ROOT / "run").read_text(encoding="utf-8")
        for mode in ("serve)", "test)", "manage)"):
            branch = script[script.index(f"  {mode}\n") :]
            branch = branch[: branch.index(";;")]
            with self.subTest(mode=mode):
                self.assertIn("use_local_secret_key", branch)


class DeployCheckTests(SimpleTestCase):
    def test_check_deploy_is_clean_with_the_production_variables(self):
        """``check --deploy --fail-level WARNING`` with .env.example's variables (and
        a throwaway key): exit 0, no warning at all (drf_spectacular.W001 included)."""
        variables = env_example()
        self.assertEqual(variables["DJANGO_DEBUG"], "0")
        self.assertEqual(variables["DJANGO_SECURE"], "1")
        env = clean_env(**variables)
        env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "check",
                "--deploy",
                "--fail-level",
                "WARNING",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertIn("System check identified no issues (0 silenced).", output)
        self.assertNotIn("WARNING", output)

    def test_production_settings(self):
        """What .env.example's variables switch on."""
        variables = env_example()
        env = clean_env(**{**variables, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)})
        code = (
            "import yantai.settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
            "s.SECURE_PROXY_SSL_HEADER, s.SECURE_REDIRECT_EXEMPT)"
        )
        result = python(code, env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            result.stdout.strip(),
            "False True True True 31536000 True True "
            "('HTTP_X_FORWARDED_PROTO', 'https') ['^healthz$']",
        )


MAIL_SETTINGS = (
    "import yantai.settings as s; print(s.MAILER_EMAIL_BACKEND, s.EMAIL_HOST,"
    " s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_HOST_USER,"
    " s.DEFAULT_FROM_EMAIL, s.EMAIL_BACKEND)"
)


class MailSettingsTests(SimpleTestCase):
    """Mail (the 三审 notifications) is configured from the environment only: the
    transport the queue's sender uses (``MAILER_EMAIL_BACKEND``)."""

    def mail_settings(self, **variables: str) -> list[str]:
        result = python(
            MAIL_SETTINGS, clean_env(DJANGO_SECRET_KEY="k" * 50, **variables)
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.split()

    def test_nothing_set_sends_nothing_in_production_and_keeps_the_queue(self):
        """tests/test_mailqueue.py NoMailServerTests: with this transport the
        sender leaves every mail queued, where Django's dummy one emptied it."""
        self.assertEqual(
            self.mail_settings()[0], "yantai.mailtransport.KeepQueuedBackend"
        )

    def test_nothing_set_prints_mails_in_debug(self):
        self.assertEqual(
            self.mail_settings(DJANGO_DEBUG="1")[0],
            "django.core.mail.backends.console.EmailBackend",
        )

    def test_a_mail_server_from_the_environment(self):
        self.assertEqual(
            self.mail_settings(
                EMAIL_HOST="smtp.example.gov.cn",
                EMAIL_PORT="587",
                EMAIL_USE_TLS="1",
                EMAIL_HOST_USER="cms",
                EMAIL_HOST_PASSWORD="pw",
                DEFAULT_FROM_EMAIL="cms@example.gov.cn",
            ),
            [
                "django.core.mail.backends.smtp.EmailBackend",
                "smtp.example.gov.cn",
                "587",
                "True",
                "False",
                "cms",
                "cms@example.gov.cn",
                "mailer.backend.DbBackend",
            ],
        )

    def test_the_sender_s_lock_file_from_the_environment(self):
        """send_mail's lock: under the checkout's var/ unless MAILER_LOCK_PATH
        names a place the sender may write (deploy/systemd: /var/lib/yantai)."""
        code = "import yantai.settings as s; print(s.MAILER_LOCK_PATH)"
        env = clean_env(DJANGO_SECRET_KEY="k" * 50)
        self.assertEqual(
            python(code, env).stdout.strip(), str(ROOT / "var" / "send_mail")
        )
        env["MAILER_LOCK_PATH"] = "/var/lib/yantai/send_mail"
        self.assertEqual(python(code, env).stdout.strip(), "/var/lib/yantai/send_mail")

    def test_every_mail_is_queued_whatever_the_transport(self):
        """Django's own mails and the 三审 ones alike go into the queue in the
        request; only ``send_mail`` talks to the mail server."""
        for variables in ({}, {"DJANGO_DEBUG": "1"}, {"EMAIL_HOST": "smtp.example"}):
            with self.subTest(variables=variables):
                self.assertEqual(
                    self.mail_settings(**variables)[-1], "mailer.backend.DbBackend"
                )

    def test_a_bad_port_or_both_tls_and_ssl_is_refused_clearly(self):
        for variables, message in (
            ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT 必须是端口号"),
            ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "只能设置其中一个"),
            ({"EMAIL_TIMEOUT": "10s"}, "EMAIL_TIMEOUT 必须是正整数秒数"),
        ):
            with self.subTest(variables=variables):
                result = python(
                    MAIL_SETTINGS,
                    clean_env(
                        DJANGO_SECRET_KEY="k" * 50,
                        EMAIL_HOST="smtp.example.gov.cn",
                        **variables,
                    ),
                )
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(message, result.stderr)


class RunPublishScheduledTests(SimpleTestCase):
    """./run publishes scheduled drafts beside the server (docs/deployment.md):
    a loop started before gunicorn, which ends once the server's pid is gone."""

    def loop(self, server_pid: int, workdir: Path) -> subprocess.CompletedProcess:
        script = (ROOT / "run").read_text(encoding="utf-8")
        start = script.index("publish_scheduled_loop() {")
        end = script.index("\n}\n", start) + 3
        code = (
            f"set -euo pipefail\n{script[start:end]}publish_scheduled_loop "
            f"{server_pid}\n"
        )
        return subprocess.run(
            ["bash", "-c", code], cwd=workdir, capture_output=True, timeout=30
        )

    def test_loop_ends_without_a_run_once_the_server_is_gone(self):
        workdir = Path(tempfile.mkdtemp(prefix="yantai-run-loop-"))
        (workdir / ".venv" / "bin").mkdir(parents=True)
        python = workdir / ".venv" / "bin" / "python"
        python.write_text("#!/bin/sh\necho ran >> runs\n")
        python.chmod(0o755)
        gone = subprocess.Popen(["true"])
        gone.wait()
        result = self.loop(gone.pid, workdir)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertFalse((workdir / "runs").exists())

    def test_serve_starts_it_for_the_server_before_gunicorn(self):
        script = (ROOT / "run").read_text(encoding="utf-8")
        serve = script[script.index("  serve)\n") :]
        serve = serve[: serve.index(";;")]
        self.assertIn("publish_scheduled_loop $$ </dev/null &", serve)
        self.assertLess(
            serve.index("publish_scheduled_loop $$"), serve.index("exec .venv/bin/")
        )
        self.assertIn("manage.py publish_scheduled", script)
