"""The WSGI entry point: ``gunicorn wsgi:app``."""

from werkzeug.middleware.proxy_fix import ProxyFix

from api.app import create_app


def behind_proxies(app):
    """Trust POINTSBANK_PROXY_COUNT proxies' X-Forwarded-For and -Proto (0, the default: none).

    Behind nginx the peer of every request is nginx itself; without this, rate limits by client
    address would count every caller as one. Only as many hops as configured are trusted, so a
    client cannot pick its own address.
    """
    hops = int(app.config.get("PROXY_COUNT", 0))
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


app = behind_proxies(create_app())
