"""JupyterHub for the Backprop Workbook classroom (local trial: `make classroom`).

Everything machine-specific comes from ``classroom.json``, written by ``grader hub setup``
(``$BW_CLASSROOM``, default ``/srv/backprop-workbook/classroom.json``): the roster, the
instructor, the users' environment, the exchange, the ports. Run as root from the course
checkout: ``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py``.

Production: see "Run a class on JupyterHub" in README.md. In short, replace the
authenticator (PAM / OAuth / LTI, below), serve HTTPS, keep the spawner local (one Unix user
per student, which nbgrader relies on) or use a spawner that runs each server as its own uid.
"""
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by JupyterHub

CLASSROOM = Path(os.environ.get("BW_CLASSROOM", "/srv/backprop-workbook/classroom.json"))
if not CLASSROOM.is_file():
    raise SystemExit(f"{CLASSROOM} is missing: run `make classroom` (or `grader hub setup`) first")
room = json.loads(CLASSROOM.read_text())
state = Path(room["state"])
venv = Path(room["venv"])

# every user's server (and what it writes) starts private: umask 077
os.umask(0o077)

# --- network: the proxy on ip:port, the Hub and the proxy's API on localhost -------------------
c.JupyterHub.bind_url = f"http://{room['ip']}:{room['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = room["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{room['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [room["chp"]]          # pinned in deploy/jupyterhub/package-lock.json
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = f"sqlite:///{state / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "hub" / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "hub" / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

# --- who may log in --------------------------------------------------------------------------
# Local trial: one random password per user, handed out from <state>/hub/passwords.txt.
c.JupyterHub.authenticator_class = "grader.hub.auth.RosterAuthenticator"
c.RosterAuthenticator.passwords_file = room["passwords_file"]
c.Authenticator.allowed_users = set(room["students"]) | {room["instructor"]}
c.Authenticator.admin_users = set()
# Production, one of (and delete the three lines above but keep allowed_users / a group rule):
#   c.JupyterHub.authenticator_class = "pam"           # the users' own Unix passwords
#   c.JupyterHub.authenticator_class = "generic-oauth"  # pip install oauthenticator; your IdP's
#       c.GenericOAuthenticator.client_id / client_secret / oauth_callback_url / authorize_url /
#       token_url / userdata_url / username_claim  (the claim must equal the Unix user name)
#   c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
#       (pip install jupyterhub-ltiauthenticator; from your LMS: issuer, client_id, JWKS URL;
#        map the LTI user to the Unix user name with username_key)

# --- one real Jupyter server per user, as that Unix user, with the course's environment --------
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(venv / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.args = ["--ServerApp.port_retries=0"]


def _environment(spawner):
    """Students and the instructor get their own nbgrader configuration (exchange, course)."""
    role = "instructor" if spawner.user.name == room["instructor"] else "students"
    spawner.environment.update({
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": str(state / "jupyter" / role),
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONNOUSERSITE": "1",
    })


c.Spawner.pre_spawn_hook = _environment

# --- an API client for automation (the tests): set BW_HUB_SERVICE_TOKEN ------------------------
if os.environ.get("BW_HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "classroom-admin", "api_token": os.environ["BW_HUB_SERVICE_TOKEN"]}]
    c.JupyterHub.load_roles = [{"name": "classroom-admin", "services": ["classroom-admin"],
                                "scopes": ["admin:users", "admin:servers", "tokens", "list:users"]}]
