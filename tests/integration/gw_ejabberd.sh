#!/bin/sh
# The core of gw_prosody.sh against ejabberd: the same room, the same four
# users, the same checks, through ejabberd's component listener.
GW_SERVER=ejabberd
export GW_SERVER
exec sh "$(dirname "$0")/gw_prosody.sh"
