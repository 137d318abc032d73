/* Self-check quizzes: compare the reader's answer with the question's data-answer and explain. */
(function () {
  "use strict";
  function check(fieldset) {
    var feedback = fieldset.querySelector(".tk-feedback");
    var explanation = fieldset.querySelector(".tk-explanation");
    var kind = fieldset.getAttribute("data-kind");
    var answer = fieldset.getAttribute("data-answer");
    var correct;
    if (kind === "choice") {
      var picked = fieldset.querySelector("input[type=radio]:checked");
      if (!picked) { feedback.textContent = "Choose an answer first."; return; }
      correct = picked.value === answer;
    } else {
      var input = fieldset.querySelector("input[type=number]");
      if (input.value === "") { feedback.textContent = "Enter a number first."; return; }
      var tolerance = parseFloat(fieldset.getAttribute("data-tolerance") || "0");
      correct = Math.abs(parseFloat(input.value) - parseFloat(answer)) <= tolerance + 1e-9;
    }
    feedback.textContent = correct ? "Correct." : "Not quite: read the explanation, then try again.";
    feedback.className = "tk-feedback " + (correct ? "tk-correct" : "tk-wrong");
    explanation.hidden = false;
  }
  function init() {
    document.querySelectorAll(".trialkit-quiz .tk-question").forEach(function (fs) {
      fs.querySelector(".tk-check").addEventListener("click", function () { check(fs); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
