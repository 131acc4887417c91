#include "adapters/email_generator.hpp"

#include <curl/curl.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace pf::adapters {
namespace {

void init_curl() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct HttpAnswer {
    CURLcode rc = CURLE_OK;
    long status = 0;
    std::string body;
    std::string error;
};

HttpAnswer post_json(const std::string& url, const std::string& api_key, const std::string& body,
                     std::chrono::milliseconds timeout) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    HttpAnswer answer;
    if (!curl) {
        answer.rc = CURLE_FAILED_INIT;
        answer.error = "curl_easy_init failed";
        return answer;
    }
    std::unique_ptr<curl_slist, SlistFree> headers;
    const auto add = [&](const std::string& h) {
        headers.reset(curl_slist_append(headers.release(), h.c_str()));
    };
    add("Content-Type: application/json");
    if (!api_key.empty()) add("Authorization: Bearer " + api_key);
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
    answer.rc = curl_easy_perform(curl.get());
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &answer.status);
    answer.error = error[0] ? error : curl_easy_strerror(answer.rc);
    return answer;
}

std::string first_line(const std::string& s) {
    auto line = s.substr(0, std::min<std::size_t>(s.find('\n'), 300));
    return line;
}

}  // namespace

GeneratedText TemplateGenerator::generate(const PromptSpec& prompt,
                                          const TemplateVariables& variables) {
    try {
        GeneratedText out;
        out.subject = render_template(prompt.subject_template, variables);
        out.body = render_template(prompt.body_template, variables);
        out.body_html =
            paragraphs_to_html(render_template(prompt.body_template, variables, Escaping::html));
        return out;
    } catch (const TemplateError& e) {
        throw GenerationError(false, e.what());
    }
}

OpenAiGenerator::OpenAiGenerator(OpenAiSettings settings) : settings_(std::move(settings)) {
    init_curl();
}

GeneratedText OpenAiGenerator::generate(const PromptSpec& prompt,
                                        const TemplateVariables& variables) {
    std::string system, user;
    try {
        system = render_template(prompt.system_prompt, variables);
        user = render_template(prompt.body_template, variables);
    } catch (const TemplateError& e) {
        throw GenerationError(false, e.what());
    }
    const nlohmann::json request{
        {"model", prompt.model},
        {"temperature", settings_.temperature},
        {"response_format", {{"type", "json_object"}}},
        {"messages",
         nlohmann::json::array(
             {{{"role", "system"},
               {"content", system + "\n\nAnswer with one JSON object with two string fields: "
                                    "\"subject\" (the email's subject line) and \"body\" (the "
                                    "email's plain-text body)."}},
              {{"role", "user"}, {"content", user}}})}};
    const auto body = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const auto url = settings_.base_url + "/chat/completions";

    std::string last_problem;
    for (int attempt = 1; attempt <= settings_.max_attempts; ++attempt) {
        if (attempt > 1) std::this_thread::sleep_for(settings_.retry_base * (1 << (attempt - 2)));
        const auto answer = post_json(url, settings_.api_key, body, settings_.timeout);
        if (answer.rc != CURLE_OK) {
            last_problem = "openai " + url + ": " + answer.error;
            continue;  // timeouts and network errors: try again
        }
        if (answer.status == 429 || answer.status >= 500) {
            last_problem = "openai " + url + ": " + std::to_string(answer.status) + " " +
                           first_line(answer.body);
            continue;
        }
        if (answer.status < 200 || answer.status >= 300) {
            throw GenerationError(false, "openai " + url + ": " + std::to_string(answer.status) +
                                             " " + first_line(answer.body));
        }
        try {
            const auto parsed = nlohmann::json::parse(answer.body);
            const auto content =
                nlohmann::json::parse(parsed.at("choices").at(0).at("message").at("content").get<std::string>());
            GeneratedText out;
            out.subject = content.at("subject").get<std::string>();
            out.body = content.at("body").get<std::string>();
            if (out.subject.empty() || out.body.empty())
                throw GenerationError(false, "openai: the answer has an empty subject or body");
            return out;
        } catch (const nlohmann::json::exception& e) {
            throw GenerationError(false, std::string("openai: unusable answer: ") + e.what());
        }
    }
    throw GenerationError(true, "gave up after " + std::to_string(settings_.max_attempts) +
                                    " attempt(s): " + last_problem);
}

}  // namespace pf::adapters
