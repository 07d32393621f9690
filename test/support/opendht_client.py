#!/usr/bin/env python3
"""An OpenDHT client using only Python's standard xmlrpc.client, as the shipped put.py, get.py
and rm.py call the gateway (Bamboo's src/bamboo/dht/*.py, ported to Python 3). Runs one fixed
scenario against the gateway URL given as argv[1] and prints the results as one JSON object for
test/gateway-python.test.ts to check. Never retries; any unexpected exception is fatal."""
import hashlib
import json
import sys
import time
import xmlrpc.client as xc

url = sys.argv[1]
proxy = xc.ServerProxy(url)
B = xc.Binary


def sha(data):
    return hashlib.sha1(data).digest()


def get_all(key, maxvals=10, details=False):
    """get.py's loop: call until the placemark comes back empty."""
    pages, values, placemark = [], [], B(b'')
    while True:
        call = proxy.get_details if details else proxy.get
        vals, placemark = call(B(key), maxvals, placemark, 'get.py')
        pages.append(len(vals))
        values += vals
        if placemark.data == b'':
            return pages, values
        if len(placemark.data) != 77 or len(pages) > 100:
            raise RuntimeError('bad placemark %r' % placemark.data)


def fault(call):
    try:
        call()
    except xc.Fault as error:
        return {'code': error.faultCode, 'string': error.faultString}
    return None


out = {}
colors = sha(b'colors')
out['put'] = proxy.put(B(colors), B(b'red'), 3600, 'put.py')
pages, values = get_all(colors)
out['get'] = [v.data.decode() for v in values]

big = sha(b'big')
for i in range(6):
    proxy.put(B(big), B(bytes([65 + i]) * 400), 600, 'put.py')
pages, values = get_all(big)
out['paging'] = {'pages': pages, 'values': [v.data[:1].decode() + str(len(v.data)) for v in values]}
pages, values = get_all(big, maxvals=1)
out['paging_maxvals_1'] = pages

secret = b'donttell'
out['put_removable'] = proxy.put_removable(B(colors), B(b'blue'), 'SHA', B(sha(secret)), 3600, 'put.py')
pages, details = get_all(colors, details=True)
out['get_details'] = [[v[0].data.decode(), 3590 <= v[1] <= 3600, v[2], v[3].data.hex()] for v in details]

out['rm_wrong_secret'] = proxy.rm(B(colors), B(sha(b'blue')), 'SHA', B(b'wrong'), 3600, 'rm.py')
out['after_rm_wrong_secret'] = sorted(v.data.decode() for v in get_all(colors)[1])
out['rm_right_secret'] = proxy.rm(B(colors), B(sha(b'blue')), 'SHA', B(secret), 3600, 'rm.py')
out['after_rm_right_secret'] = sorted(v.data.decode() for v in get_all(colors)[1])
out['rm_unremovable'] = proxy.rm(B(colors), B(sha(b'red')), 'SHA', B(secret), 3600, 'rm.py')
out['after_rm_unremovable'] = sorted(v.data.decode() for v in get_all(colors)[1])

short = sha(b'short-lived')
proxy.put(B(short), B(b'gone soon'), 1, 'put.py')
out['before_expiry'] = [v.data.decode() for v in get_all(short)[1]]
time.sleep(1.2)
out['after_expiry'] = [v.data.decode() for v in get_all(short)[1]]

out['ping'] = proxy.ping()

out['faults'] = {
    'key_too_long': fault(lambda: proxy.put(B(b'k' * 21), B(b'v'), 60, 'x')),
    'value_too_long': fault(lambda: proxy.put(B(colors), B(b'v' * 1025), 60, 'x')),
    'key_not_binary': fault(lambda: proxy.put('colors', B(b'v'), 60, 'x')),
    'ttl_as_string': fault(lambda: proxy.put(B(colors), B(b'v'), '60', 'x')),
    'unknown_method': fault(lambda: proxy.store(B(colors))),
    'unknown_algorithm': fault(lambda: proxy.put_removable(B(colors), B(b'v'), 'MD5', B(b'h'), 60, 'x')),
    'secret_hash_too_long': fault(lambda: proxy.put_removable(B(colors), B(b'v'), 'SHA', B(b'h' * 21), 60, 'x')),
    'value_hash_too_long': fault(lambda: proxy.rm(B(colors), B(b'h' * 21), 'SHA', B(b's'), 60, 'x')),
    'secret_too_long': fault(lambda: proxy.rm(B(colors), B(b'h' * 20), 'SHA', B(b's' * 41), 60, 'x')),
    'placemark_too_long': fault(lambda: proxy.get(B(colors), 10, B(b'p' * 78), 'x')),
    'no_arguments': fault(lambda: proxy.get()),
}

print(json.dumps(out))
