"""localstripe on 127.0.0.1 and a given port, with its disk dump (/tmp/localstripe.pickle) off.

`python -m tests.payments.localstripe_server PORT`. localstripe refuses parameters it does not
know; Landkorb's PaymentIntents carry `transfer_group` (Connect), which it does not model, so
the wrapper keeps it as a plain attribute. Connect itself is tested against the fake gateway.
"""
from __future__ import annotations

import sys

from aiohttp import web
from localstripe import resources, server

resources.Store.dump_to_disk = lambda self: None  # no disk dump: every run starts empty
_init = resources.PaymentIntent.__init__


def _init_with_transfer_group(self, *args, transfer_group=None, **kwargs):
    _init(self, *args, **kwargs)
    self.transfer_group = transfer_group


resources.PaymentIntent.__init__ = _init_with_transfer_group


def main() -> None:
    web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
