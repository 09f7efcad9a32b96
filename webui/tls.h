// TLS material for the web server: a self-signed certificate made on first start (OpenSSL).
#pragma once

#include <string>

namespace otsentry::webui {

struct CertFiles {
    std::string cert_path, key_path;
    bool created = false;  // made now (else both files were there)
};

// DIR/cert.pem and DIR/key.pem: kept if both exist, else made: an EC P-256 key (mode 0600) and a
// certificate for CN=otsentry, subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1, valid one year,
// SHA-256. Creates DIR (0700) if needed. Throws std::runtime_error.
CertFiles ensure_self_signed(const std::string& dir);

// The SHA-256 fingerprint of a PEM certificate, as AA:BB:... (printed for the operator to check).
std::string certificate_fingerprint(const std::string& cert_path);

}  // namespace otsentry::webui
