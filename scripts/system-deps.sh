#!/usr/bin/env bash
# Installs the Debian packages Crosscheck uses outside Python, when missing:
#   chromium       - end-to-end browser tests and chart images in PDF reports
#   fonts-dejavu-core, fonts-noto-cjk - Latin/Cyrillic/Arabic and CJK text in PDF reports
#   poppler-utils  - pdftoppm/pdftotext, used by the report tests
#   postgresql, redis-server - the team back-ends: the storage and queue tests start them on loopback
# Only root can install them; other users get a note, and the tests that need
# them skip (unless CI=true, where they fail).
set -u
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || needed+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || needed+=(fonts-dejavu-core)
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || needed+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || needed+=(postgresql)
command -v redis-server >/dev/null 2>&1 || needed+=(redis-server)
[ ${#needed[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "note: not root, so not installing ${needed[*]}; tests that need them will be skipped." >&2
    exit 0
fi
echo "installing Debian packages: ${needed[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
