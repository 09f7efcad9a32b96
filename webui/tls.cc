#include "webui/tls.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace otsentry::webui {

namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct X509Free {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct FileClose {
    void operator()(FILE* f) const noexcept { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileClose>;

[[noreturn]] void ssl_fail(const std::string& what)
{
    throw std::runtime_error("self-signed certificate: " + what);
}

FilePtr create_file(const std::string& path, mode_t mode)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) ssl_fail(path + ": " + std::strerror(errno));
    ::fchmod(fd, mode);
    FILE* f = ::fdopen(fd, "w");
    if (!f) {
        ::close(fd);
        ssl_fail(path + ": " + std::strerror(errno));
    }
    return FilePtr{f};
}

}  // namespace

CertFiles ensure_self_signed(const std::string& dir)
{
    namespace fs = std::filesystem;
    CertFiles out{(fs::path(dir) / "cert.pem").string(), (fs::path(dir) / "key.pem").string(), false};
    if (fs::exists(out.cert_path) && fs::exists(out.key_path)) return out;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) ssl_fail(dir + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, ec);

    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
    if (!key) ssl_fail("EC key generation failed");
    std::unique_ptr<X509, X509Free> cert(X509_new());
    if (!cert) ssl_fail("out of memory");
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) ssl_fail("no random bytes");
    serial[0] &= 0x7f;  // positive
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()))) {
        BN_free(bn);
        ssl_fail("serial number");
    }
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("otsentry"),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("otsentry"),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    const std::pair<int, const char*> extensions[] = {
        {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, "serverAuth"},
    };
    for (const auto& [nid, value] : extensions) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        if (!ext) ssl_fail(std::string("extension ") + value);
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) ssl_fail("signing failed");

    {
        auto f = create_file(out.key_path, 0600);
        if (!PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr))
            ssl_fail(out.key_path + ": write failed");
    }
    {
        auto f = create_file(out.cert_path, 0644);
        if (!PEM_write_X509(f.get(), cert.get())) ssl_fail(out.cert_path + ": write failed");
    }
    out.created = true;
    return out;
}

std::string certificate_fingerprint(const std::string& cert_path)
{
    FILE* raw = std::fopen(cert_path.c_str(), "r");
    if (!raw) throw std::runtime_error(cert_path + ": " + std::strerror(errno));
    FilePtr f{raw};
    std::unique_ptr<X509, X509Free> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
    if (!cert) throw std::runtime_error(cert_path + ": not a PEM certificate");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    X509_digest(cert.get(), EVP_sha256(), md, &n);
    std::string out;
    static constexpr char hex[] = "0123456789ABCDEF";
    for (unsigned i = 0; i < n; ++i) {
        if (i) out.push_back(':');
        out.push_back(hex[md[i] >> 4]);
        out.push_back(hex[md[i] & 15]);
    }
    return out;
}

}  // namespace otsentry::webui
