// citybot's upload page: send a photo (file, drop or URL), show every city's bar, record the user's answer.
"use strict";

const $ = (id) => document.getElementById(id);

function say(text, isError) {
  const message = $("message");
  message.textContent = text;
  message.classList.toggle("error", Boolean(isError));
}

async function asJson(response) {
  // Every error from the server is JSON {"error": "..."}; anything else means a proxy or network trouble.
  try {
    return await response.json();
  } catch (ignored) {
    return { error: `the server answered ${response.status}` };
  }
}

function showRanking(answer) {
  $("version").textContent = answer.model_version;
  const ranking = $("ranking");
  ranking.replaceChildren();
  answer.predictions.forEach(([city, probability], index) => {
    const row = document.createElement("li");
    row.className = index === 0 ? "row top" : "row";
    row.dataset.city = city;
    const name = document.createElement("span");
    name.className = "city";
    name.textContent = city;
    const bar = document.createElement("span");
    bar.className = "bar";
    const fill = document.createElement("span");
    fill.className = "fill";
    fill.style.width = `${(probability * 100).toFixed(1)}%`;
    bar.append(fill);
    const percent = document.createElement("span");
    percent.className = "percent";
    percent.textContent = `${(probability * 100).toFixed(1)} %`;
    row.append(name, bar, percent);
    ranking.append(row);
  });
  showAnswers(answer);
  $("result").hidden = false;
  const [best, p] = answer.predictions[0];
  say(answer.sure ? `Looks like ${best}.` : `I'm not sure — maybe ${best} (${(p * 100).toFixed(0)} %)?`);
}

function showAnswers(answer) {
  const answers = $("answers");
  answers.replaceChildren();
  const choices = answer.predictions.map(([city]) => city).concat([null]);
  choices.forEach((city, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = index === 0 ? "answer confirm" : city === null ? "answer none" : "answer";
    button.textContent = index === 0 ? `Yes, ${city}` : city === null ? "None of these" : `No, ${city}`;
    button.dataset.city = city === null ? "" : city;
    button.addEventListener("click", () => sendLabel(answer.prediction_id, city, button));
    answers.append(button);
  });
}

async function sendLabel(predictionId, city, button) {
  const response = await fetch("/api/labels", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ prediction_id: predictionId, city: city }),
  });
  const body = await asJson(response);
  if (!response.ok) {
    say(body.error, true);
    return;
  }
  document.querySelectorAll("#answers .answer").forEach((other) => other.classList.remove("chosen"));
  button.classList.add("chosen");
  say(body.city === null ? "Thanks — saved as none of these." : `Thanks — saved as ${body.city}.`);
}

async function classify(request, previewUrl) {
  say("Looking…");
  $("result").hidden = true;
  let response;
  try {
    response = await request();
  } catch (error) {
    say("Could not reach citybot — check your connection.", true);
    return;
  }
  const body = await asJson(response);
  if (!response.ok) {
    // Before the first model the status line above already explains; keep the answer short.
    say(body.needs ? "No model yet — see above for how to train the first one." : body.error, true);
    return;
  }
  const preview = $("preview");
  preview.hidden = !previewUrl;
  if (previewUrl) preview.src = previewUrl;
  showRanking(body);
}

function sendFile(file) {
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  classify(() => fetch("/api/classify", { method: "POST", body: form }), URL.createObjectURL(file));
}

function sendUrl(event) {
  event.preventDefault();
  const url = $("url").value.trim();
  if (!url) return;
  classify(() => fetch(`/classify-url?url=${encodeURIComponent(url)}`), null);
}

function setUp() {
  $("file").addEventListener("change", (event) => sendFile(event.target.files[0]));
  $("by-url").addEventListener("submit", sendUrl);
  const drop = $("upload");
  drop.addEventListener("submit", (event) => event.preventDefault());
  ["dragenter", "dragover"].forEach((name) =>
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((name) =>
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", (event) => sendFile(event.dataTransfer.files[0]));
}

document.addEventListener("DOMContentLoaded", setUp);
