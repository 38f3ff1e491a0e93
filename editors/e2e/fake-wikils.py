#!/usr/bin/env python3
"""A stand-in for `wikils lsp --stdio` that answers the editor end-to-end tests the way the real
server is specified to, on the fixture of make-fixture.sh only. It checks the test harnesses
themselves (editors/run-e2e.sh --self-test), independently of the server's progress.
FAKE_WIKILS_WITHOUT=completion,definition,diagnostics leaves features out, to check that the tests
then fail. Stdlib only; LSP over stdio with Content-Length framing; UTF-16 columns == code points here."""
import json
import os
import re
import sys
import urllib.parse

LINK = re.compile(r'\[([^\]]*)\]\(\.\./Page/([^)\s]+)\.md "wikilink"\)')


def read_message(stream):
    headers = {}
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.decode('ascii').strip()
        if not line:
            break
        key, value = line.split(':', 1)
        headers[key.strip().lower()] = value.strip()
    return json.loads(stream.read(int(headers['content-length'])))


def send(message):
    body = json.dumps(message).encode('utf-8')
    sys.stdout.buffer.write(b'Content-Length: %d\r\n\r\n' % len(body) + body)
    sys.stdout.buffer.flush()


def path_of(uri):
    return urllib.parse.unquote(urllib.parse.urlparse(uri).path)


def page_exists(document_uri, title):
    return os.path.exists(os.path.join(os.path.dirname(path_of(document_uri)), title + '.md'))


SEVERITY = {'error': 1, 'warning': 2, 'info': 3, 'information': 3, 'hint': 4}
rules = {}


def diagnostics(uri, text):
    if rules.get('broken-link') == 'off':
        return []
    found = []
    for number, line in enumerate(text.split('\n')):
        for match in LINK.finditer(line):
            if not page_exists(uri, match.group(2)):
                found.append({
                    'range': {'start': {'line': number, 'character': match.start()},
                              'end': {'line': number, 'character': match.end()}},
                    'severity': SEVERITY.get(rules.get('broken-link'), 2), 'source': 'wikils', 'code': 'broken-link',
                    'message': 'no page named `%s`' % match.group(2)})
    return found


WITHOUT = set(os.environ.get('FAKE_WIKILS_WITHOUT', '').split(','))


def main():
    documents = {}
    while True:
        message = read_message(sys.stdin.buffer)
        if message is None:
            return
        method, ident, params = message.get('method'), message.get('id'), message.get('params') or {}
        if method == 'initialize':
            rules.update((params.get('initializationOptions') or {}).get('rules') or {})
            capabilities = {'textDocumentSync': 1}
            if 'definition' not in WITHOUT:
                capabilities['definitionProvider'] = True
            if 'completion' not in WITHOUT:
                capabilities['completionProvider'] = {'triggerCharacters': ['[']}
            send({'jsonrpc': '2.0', 'id': ident, 'result': {
                'capabilities': capabilities, 'serverInfo': {'name': 'fake-wikils'}}})
        elif method in ('textDocument/didOpen', 'textDocument/didChange'):
            uri = params['textDocument']['uri']
            text = params['textDocument']['text'] if method.endswith('didOpen') else params['contentChanges'][-1]['text']
            documents[uri] = text
            if 'diagnostics' in WITHOUT:
                continue
            send({'jsonrpc': '2.0', 'method': 'textDocument/publishDiagnostics',
                  'params': {'uri': uri, 'diagnostics': diagnostics(uri, text)}})
        elif method == 'textDocument/definition':
            uri, position = params['textDocument']['uri'], params['position']
            line = documents.get(uri, '').split('\n')[position['line']]
            result = None
            for match in LINK.finditer(line):
                if match.start() <= position['character'] <= match.end() and page_exists(uri, match.group(2)):
                    target = uri.rsplit('/', 1)[0] + '/' + urllib.parse.quote(match.group(2)) + '.md'
                    zero = {'line': 0, 'character': 0}
                    result = [{'uri': target, 'range': {'start': zero, 'end': zero}}]
            send({'jsonrpc': '2.0', 'id': ident, 'result': result})
        elif method == 'textDocument/completion':
            send({'jsonrpc': '2.0', 'id': ident, 'result': {'isIncomplete': False, 'items': [
                {'label': 'A', 'kind': 17}, {'label': 'B', 'kind': 17}]}})
        elif method == 'workspace/didChangeConfiguration':
            rules.clear()
            rules.update(((params.get('settings') or {}).get('wikils') or {}).get('rules') or {})
            for uri, text in documents.items():
                send({'jsonrpc': '2.0', 'method': 'textDocument/publishDiagnostics',
                      'params': {'uri': uri, 'diagnostics': diagnostics(uri, text)}})
        elif method == 'shutdown':
            send({'jsonrpc': '2.0', 'id': ident, 'result': None})
        elif method == 'exit':
            return
        elif ident is not None and method is not None:
            send({'jsonrpc': '2.0', 'id': ident, 'error': {'code': -32601, 'message': 'unsupported: ' + method}})


if __name__ == '__main__':
    main()
