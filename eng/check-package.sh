#!/usr/bin/env bash
# Packs UrlSession into a temporary folder feed and builds a consumer that references it by package name.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet pack "$root/src/UrlSession/UrlSession.csproj" -c Release -o "$work/feed" -p:Version=0.0.0-ci >/dev/null
cp "$root/eng/PackageConsumer/"* "$work/"
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
XML
# nuget.config beside the project adds the feed to the machine's usual sources.
dotnet build "$work/PackageConsumer.csproj" -c Release -p:UrlSessionVersion=0.0.0-ci >/dev/null
dotnet "$work/bin/Release/net10.0/PackageConsumer.dll"
