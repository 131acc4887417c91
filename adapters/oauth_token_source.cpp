#include "adapters/oauth_token_source.hpp"

#include <curl/curl.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace pf::adapters {
namespace {

struct EasyFree {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

std::string form_value(CURL* curl, const std::string& value) {
    std::unique_ptr<char, decltype(&curl_free)> escaped(
        curl_easy_escape(curl, value.c_str(), static_cast<int>(value.size())), &curl_free);
    return escaped ? std::string(escaped.get()) : std::string();
}

TokenAnswer request_token(const OAuthClient& client, const std::string& refresh_token) {
    if (client.token_url.empty())
        throw OAuthError(
            "no OAuth token endpoint (set the mailbox's oauth_token_url or "
            "[mailboxes] oauth_token_url)",
            true);
    std::unique_ptr<CURL, EasyFree> curl(curl_easy_init());
    if (!curl) throw OAuthError("libcurl cannot make a handle", false);
    std::string form =
        "grant_type=refresh_token&refresh_token=" + form_value(curl.get(), refresh_token) +
        "&client_id=" + form_value(curl.get(), client.client_id);
    if (!client.client_secret.empty())
        form += "&client_secret=" + form_value(curl.get(), client.client_secret);
    std::string body;
    curl_easy_setopt(curl.get(), CURLOPT_URL, client.token_url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, form.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, client.timeout_ms);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "https,http");
    if (!client.ca_file.empty())
        curl_easy_setopt(curl.get(), CURLOPT_CAINFO, client.ca_file.c_str());
    const auto rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK)
        throw OAuthError("token endpoint " + client.token_url + ": " + curl_easy_strerror(rc),
                         false);
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    return parse_token_answer(status, body, client.token_url);
}

}  // namespace

TokenAnswer parse_token_answer(long http_status, const std::string& body,
                               const std::string& token_url) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (http_status == 200 && json.is_object() && json.contains("access_token") &&
        json["access_token"].is_string() && !json["access_token"].get<std::string>().empty()) {
        TokenAnswer answer{json["access_token"].get<std::string>(), std::chrono::seconds(3600)};
        if (json.contains("expires_in") && json["expires_in"].is_number_integer())
            answer.expires_in = std::chrono::seconds(json["expires_in"].get<long long>());
        return answer;
    }
    std::string error = json.is_object() && json.contains("error") && json["error"].is_string()
                            ? json["error"].get<std::string>()
                            : "no access_token in the answer";
    if (json.is_object() && json.contains("error_description") &&
        json["error_description"].is_string())
        error += " (" + json["error_description"].get<std::string>() + ")";
    // 400 and 401 are the endpoint's no (RFC 6749 5.2); the rest may pass.
    const bool refused = http_status == 400 || http_status == 401 || http_status == 403;
    throw OAuthError(
        "token endpoint " + token_url + " answered " + std::to_string(http_status) + ": " + error,
        refused);
}

std::string OAuthTokenSource::access_token(const std::string& mailbox, const OAuthClient& client,
                                           const std::string& refresh_token, bool fresh) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        const auto it = cache_.find(mailbox);
        if (!fresh && it != cache_.end() && it->second.good_until > now) return it->second.token;
    }
    // Outside the lock: other mailboxes' sends need not wait for this request.
    auto answer = request_token(client, refresh_token);
    std::lock_guard lock(mutex_);
    cache_[mailbox] = {answer.access_token, now + answer.expires_in - kExpiryMargin};
    return answer.access_token;
}

void OAuthTokenSource::forget(const std::string& mailbox) {
    std::lock_guard lock(mutex_);
    cache_.erase(mailbox);
}

}  // namespace pf::adapters
