#include "Logging.h"

Q_LOGGING_CATEGORY(lcConfig, "nexus.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSession, "nexus.session", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStream, "nexus.stream", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAttestation, "nexus.attestation", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHub, "nexus.hub", QtInfoMsg)
Q_LOGGING_CATEGORY(lcClient, "nexus.client", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSocks5, "nexus.socks5", QtInfoMsg)
