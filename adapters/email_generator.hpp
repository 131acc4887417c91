#pragma once
// Generators turn a prompt and a prospect's context into an email's subject
// and text. `template` renders the prompt's Mustache templates; `openai`
// renders the prompt's system and user templates (system_prompt and
// body_template) and asks an OpenAI-compatible chat-completions API for a
// JSON object {"subject": ..., "body": ...}. The HTML part is made from the
// text by the caller.

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "adapters/template_renderer.hpp"

namespace pf::adapters {

struct PromptSpec {
    std::string generator = "template";  // template or openai
    std::string subject_template, body_template, system_prompt, model;
};

struct GeneratedText {
    std::string subject, body;
    // Template generators can render an HTML body with HTML escaping; others
    // leave it empty and the caller escapes the text.
    std::string body_html;
};

// A generation that failed; transient ones (rate limits, server errors,
// timeouts) may succeed later, permanent ones (bad request, unusable answer,
// template errors) will not.
class GenerationError : public std::runtime_error {
  public:
    GenerationError(bool transient, const std::string& what)
        : std::runtime_error(what), transient_(transient) {}
    bool transient() const { return transient_; }

  private:
    bool transient_;
};

class EmailGenerator {
  public:
    virtual ~EmailGenerator() = default;
    // Must be safe to call from several worker threads at once.
    virtual GeneratedText generate(const PromptSpec& prompt, const TemplateVariables& variables) = 0;
};

class TemplateGenerator final : public EmailGenerator {
  public:
    GeneratedText generate(const PromptSpec& prompt, const TemplateVariables& variables) override;
};

struct OpenAiSettings {
    std::string base_url = "https://api.openai.com/v1";
    std::string api_key;
    std::chrono::milliseconds timeout{30000};
    int max_attempts = 3;  // per generation, on 429, 5xx and timeouts
    std::chrono::milliseconds retry_base{1000};
    double temperature = 0.7;
};

class OpenAiGenerator final : public EmailGenerator {
  public:
    explicit OpenAiGenerator(OpenAiSettings settings);
    GeneratedText generate(const PromptSpec& prompt, const TemplateVariables& variables) override;

  private:
    OpenAiSettings settings_;
};

// The generators a daemon has, by the name prompts use (prompts.generator).
class GeneratorSet {
  public:
    void add(std::string name, std::unique_ptr<EmailGenerator> generator) {
        generators_[std::move(name)] = std::move(generator);
    }
    // nullptr when not configured (an openai prompt on a daemon without an API key).
    EmailGenerator* find(const std::string& name) const {
        const auto it = generators_.find(name);
        return it == generators_.end() ? nullptr : it->second.get();
    }

  private:
    std::map<std::string, std::unique_ptr<EmailGenerator>> generators_;
};

}  // namespace pf::adapters
