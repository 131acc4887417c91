#include "adapters/mailbox_secret.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <memory>
#include <vector>

namespace pf::adapters {
namespace {

constexpr std::string_view kPrefix = "pfsec1:";
constexpr std::size_t kNonceSize = 12, kTagSize = 16;

struct CipherFree {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Cipher = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

std::string base64_encode(const std::vector<unsigned char>& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// Strict: no whitespace, padding only at the end. Empty on malformed input.
std::vector<unsigned char> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return {};
    std::vector<unsigned char> out(text.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return {};
    std::size_t size = static_cast<std::size_t>(n);
    for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) --size;
    out.resize(size);
    return out;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

bool parse_hex(std::string_view text, MailboxKey::Bytes& out) {
    if (text.size() != 64) return false;
    for (std::size_t i = 0; i < 32; ++i) {
        unsigned value = 0;
        for (char c : text.substr(2 * i, 2)) {
            if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
            value = value * 16 + static_cast<unsigned>(
                                     std::isdigit(static_cast<unsigned char>(c))
                                         ? c - '0'
                                         : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
        }
        out[i] = static_cast<std::uint8_t>(value);
    }
    return true;
}

}  // namespace

MailboxKey MailboxKey::parse(std::string_view text, const std::string& origin) {
    Bytes bytes{};
    const auto t = trimmed(text);
    if (parse_hex(t, bytes)) return MailboxKey(bytes);
    if (const auto decoded = base64_decode(t); decoded.size() == 32) {
        std::copy(decoded.begin(), decoded.end(), bytes.begin());
        return MailboxKey(bytes);
    }
    throw MailboxSecretError("the mailbox key from " + origin +
                             " is not a 256-bit key (give 64 hex digits or the base64 of 32 bytes; "
                             "make one with: openssl rand -hex 32)");
}

std::string encrypt_mailbox_secret(const MailboxKey& key, std::string_view plaintext) {
    std::vector<unsigned char> out(kNonceSize + plaintext.size() + kTagSize);
    if (RAND_bytes(out.data(), static_cast<int>(kNonceSize)) != 1)
        throw MailboxSecretError("no random bytes for a nonce (OpenSSL RAND_bytes failed)");
    Cipher ctx(EVP_CIPHER_CTX_new());
    int n = 0;
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes().data(), out.data()) !=
            1 ||
        EVP_EncryptUpdate(ctx.get(), out.data() + kNonceSize, &n,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceSize + n, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                            out.data() + kNonceSize + plaintext.size()) != 1)
        throw MailboxSecretError("AES-256-GCM encryption failed (OpenSSL)");
    return std::string(kPrefix) + base64_encode(out);
}

std::string decrypt_mailbox_secret(const MailboxKey& key, std::string_view stored) {
    if (stored.substr(0, kPrefix.size()) != kPrefix)
        throw MailboxSecretError(
            "the stored secret is not a prospectflow secret (make it with `prospectflowd "
            "mailbox encrypt`)");
    const auto raw = base64_decode(stored.substr(kPrefix.size()));
    if (raw.size() < kNonceSize + kTagSize)
        throw MailboxSecretError("the stored secret is truncated or not base64");
    const std::size_t size = raw.size() - kNonceSize - kTagSize;
    std::string plaintext(size, '\0');
    Cipher ctx(EVP_CIPHER_CTX_new());
    int n = 0;
    std::vector<unsigned char> tag(raw.end() - kTagSize, raw.end());
    const bool ok = ctx &&
                    EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes().data(),
                                       raw.data()) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()),
                                      &n, raw.data() + kNonceSize, static_cast<int>(size)) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                                        tag.data()) == 1 &&
                    EVP_DecryptFinal_ex(
                        ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + n, &n) == 1;
    if (!ok)
        throw MailboxSecretError(
            "the stored secret does not decrypt: wrong mailbox key or tampered value");
    return plaintext;
}

}  // namespace pf::adapters
