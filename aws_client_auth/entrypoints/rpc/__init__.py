"""``client-auth serve --stdio``: the facade as a JSON-RPC 2.0 server over standard input and output, for editors
in any language (the way editors talk to language servers). The protocol is described in ``docs/json-rpc.md``.

Modules: ``protocol`` (messages and framing), ``binding`` (named parameters), ``results`` (the JSON shapes),
``methods`` (the method table, with ``account`` and ``passkeys``), ``server`` (dispatch, cancel, shutdown,
events), ``logs`` (standard error).
"""
