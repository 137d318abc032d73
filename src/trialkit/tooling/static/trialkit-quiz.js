/* Self-check quizzes that teach: a wrong answer gets the feedback written for that choice (if any) and
   an invitation to try again; the explanation, which names the right answer, is shown only after a
   right answer or a second wrong one. */
(function () {
  "use strict";
  function check(fieldset) {
    var feedback = fieldset.querySelector(".tk-feedback");
    var explanation = fieldset.querySelector(".tk-explanation");
    var kind = fieldset.getAttribute("data-kind");
    var answer = fieldset.getAttribute("data-answer");
    var correct, reply = "";
    if (kind === "choice") {
      var picked = fieldset.querySelector("input[type=radio]:checked");
      if (!picked) { feedback.textContent = "Choose an answer first."; return; }
      correct = picked.value === answer;
      reply = picked.getAttribute("data-feedback") || "";
    } else {
      var input = fieldset.querySelector("input[type=number]");
      if (input.value === "") { feedback.textContent = "Enter a number first."; return; }
      var tolerance = parseFloat(fieldset.getAttribute("data-tolerance") || "0");
      correct = Math.abs(parseFloat(input.value) - parseFloat(answer)) <= tolerance + 1e-9;
    }
    var wrongTries = parseInt(fieldset.getAttribute("data-wrong-tries") || "0", 10);
    if (!correct) { wrongTries += 1; fieldset.setAttribute("data-wrong-tries", String(wrongTries)); }
    feedback.className = "tk-feedback " + (correct ? "tk-correct" : "tk-wrong");
    if (correct) {
      feedback.textContent = "Correct.";
    } else {
      feedback.innerHTML = "";
      feedback.appendChild(document.createTextNode("Not quite. "));
      if (reply) {
        var hint = document.createElement("span");
        hint.className = "tk-hint";
        hint.innerHTML = reply + " ";  // rendered by trialkit.quiz from the quiz file (escaped there)
        feedback.appendChild(hint);
      }
      feedback.appendChild(document.createTextNode(wrongTries >= 2 ? "The explanation is below." : "Try again."));
    }
    explanation.hidden = !(correct || wrongTries >= 2);
  }
  function init() {
    document.querySelectorAll(".trialkit-quiz .tk-question").forEach(function (fs) {
      fs.querySelector(".tk-check").addEventListener("click", function () { check(fs); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
