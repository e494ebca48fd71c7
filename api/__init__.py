"""pointsbank's web edge: a thin JSON API over ``ledger``, one package per capability.

Data flows one way: request -> schema -> access (load and authorise) -> one ledger call ->
commit -> schema -> response. The app factory is :func:`api.app.create_app`.
"""
