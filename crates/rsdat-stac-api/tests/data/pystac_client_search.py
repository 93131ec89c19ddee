"""The oracle for rsdat's STAC API client: the same search through pystac-client.

    python pystac_client_search.py URL 'JSON'

JSON holds pystac-client `Client.search` keyword arguments (collections, bbox, datetime,
filter, query, ids, limit, max_items, method). Prints {"ids": [...], "seconds": s} for the
items in the order pystac-client yields them; with the extra key "collections": true, prints
the ids of `get_collections()` instead.
"""

import json
import sys
import time

from pystac_client import Client


def main() -> None:
    url = sys.argv[1]
    kwargs = json.loads(sys.argv[2])
    client = Client.open(url)
    if kwargs.pop("collections_list", False):
        print(json.dumps({"ids": [c.id for c in client.get_collections()]}))
        return
    # rustac's server answers CQL2 and the query extension without declaring them.
    client.add_conforms_to("FILTER")
    client.add_conforms_to("QUERY")
    started = time.perf_counter()
    search = client.search(**kwargs)
    ids = [item.id for item in search.items()]
    seconds = time.perf_counter() - started
    print(json.dumps({"ids": ids, "seconds": seconds}))


if __name__ == "__main__":
    main()
