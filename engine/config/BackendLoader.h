// Decodes and validates one entry of `backends` (config.md §2, §3, §5, §9), reporting in the
// order of config.md §8 but collecting every error instead of stopping at the first.
#pragma once

#include <QList>
#include <QString>

#include <yaml-cpp/yaml.h>

#include "config/YamlReader.h"
#include "nexustray/Config.h"

namespace nexustray::configyaml {

class BackendLoader {
public:
    // `index` is 0-based; messages count backends from 1 when the name is missing.
    BackendLoader(IssueSink& sink, const YAML::Node& node, int index);

    BackendConfig load();

private:
    QString peekName() const;
    void loadName();
    void loadHostnameSources();
    void loadTcpPorts();
    void loadUdpRoutes();
    void checkRouteRule();
    void normaliseHostnames();
    void loadNexusAddresses();
    void loadWeight();
    void loadAttestation();
    bool peekTpm() const;                       // attestation.tpm is written (even if invalid)
    bool loadTpm(const MapReader& attestation); // true: the block was not a mapping
    void loadPortMappings();
    void loadPortMapping(const MapReader::Entry& entry, int port);
    void emitWarnings();
    void loadHealthChecks();
    void loadFlowControl();
    void loadAdditions();
    void loadSocks5();
    void loadProxy(); // `proxy: URL | none`, checked with the dial's own parser

    IssueSink& m_sink;
    YAML::Node m_node;
    int m_index;
    SourceRef m_ref;
    const MapReader* m_map = nullptr;
    BackendConfig m_cfg;

    // Raw values kept between the steps; a *Bad flag means an error was already reported and
    // rules depending on that value are skipped (no follow-up errors).
    QList<Located<QString>> m_rawHostnames;
    bool m_hostnamesBad = false;
    QList<Located<int>> m_tcpPorts; // valid, de-duplicated
    qsizetype m_tcpCount = 0;
    bool m_tcpBad = false;
    QList<SourceRef> m_udpRefs; // parallel to m_cfg.udpRoutes
    qsizetype m_udpCount = 0;
    bool m_udpBad = false;
    bool m_mappingsKnown = false;
    SourceRef m_secretFileRef; // where attestation.hmacSecretFile is written
};

} // namespace nexustray::configyaml
